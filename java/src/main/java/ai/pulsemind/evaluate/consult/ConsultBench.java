package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.Turn;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.evaluate.models.Repliers;
import ai.pulsemind.evaluate.stats.AbsoluteScore;
import ai.pulsemind.evaluate.stats.AbsoluteScores;
import ai.pulsemind.evaluate.stats.BradleyTerry;
import ai.pulsemind.evaluate.stats.PairwiseOutcome;
import ai.pulsemind.evaluate.stats.Resampling;
import ai.pulsemind.evaluate.stats.WinRates;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Diagnostics;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.JudgeSpecs;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreJudgment;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.SqliteVerdictCache;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PulseMind consultation benchmark: every model under test consults every case (replay or simulated patient),
 * a judge compares each model's consultation with each baseline's on the four dimensions with the real doctor's
 * record as reference (whole consultations, and single doctor turns where both sides follow the record), and the
 * statistics and report are written to the run folder:
 * <pre>
 * RUN/config.json        the settings
 * RUN/transcripts.jsonl  one line per participant × case ({@link Transcript}); generated ones appended as they finish
 * RUN/judgments.jsonl    one line per judged pair ({@link JudgmentLines}); appended as they finish
 * RUN/scores.jsonl       with --absolute: one line per participant × case
 * RUN/verdicts.sqlite    the judge's verdict cache (a crash loses at most the calls in flight)
 * RUN/summary.json       {@link ConsultSummary}
 * RUN/report.html        with its PNG charts ({@link ConsultReport})
 * </pre>
 * A rerun with the same settings reuses every transcript and judgment on disk and asks only for what is missing.
 *
 * <p>Whole consultations are judged with the patient's opening as context and the record as reference
 * ({@link Reference#ofRecord}). A single doctor turn i is judged with the recorded consultation up to i as context
 * (the same patient turn for both sides) and the real doctor's turn i as reference ({@link Reference#ofTurn}); only
 * pairs where both transcripts follow the record's turns (replay) have per-turn judgments. The headline statistics
 * are those of whole consultations; per-turn win rates are reported beside them.
 */
public final class ConsultBench {
    private ConsultBench() {}

    static final int JUDGE_CHUNK = 64;

    /** Runs with a progress bar per stage on stderr and a log of what was skipped or failed on stderr. */
    public static ConsultSummary run(ConsultConfig cfg) throws IOException { return new Run(cfg, null, System.err).go(); }

    /**
     * Runs reporting to {@code progress} instead: it advances by one per consultation generated and per pair judged
     * (its total is the caller's guess); nothing is printed.
     */
    public static ConsultSummary run(ConsultConfig cfg, Progress progress) throws IOException { return new Run(cfg, progress, null).go(); }

    private static final class Run {
        final ConsultConfig cfg;
        final Progress given;
        final PrintStream log;
        final Path dir;
        final List<String> problems = new ArrayList<>();
        long generated, reusedTranscripts, generationFailures, judged, reusedJudgments, judgeFailures;

        Run(ConsultConfig cfg, Progress given, PrintStream log) {
            this.cfg = cfg;
            this.given = given;
            this.log = log;
            this.dir = cfg.out().toAbsolutePath().normalize();
        }

        Progress progress(String label, long total) {
            if (given != null) return given;
            return log == null ? Progress.NONE : Progress.stderr(label, total);
        }

        void problem(String m) {
            if (problems.size() < CaseSet.KEPT) problems.add(m);
            if (log != null) log.println("eval consult: " + m);
        }

        ConsultSummary go() throws IOException {
            Files.createDirectories(dir);
            RunFiles.writeAtomically(dir.resolve(RunFiles.CONFIG), RunFiles.PRETTY.writeValueAsString(cfg.toJson()) + "\n");
            List<ExpertLabels.Label> labels = null;
            if (cfg.expertLabels() != null && !cfg.expertLabels().toString().equals(ExpertLabels.GRADES)) labels = ExpertLabels.read(cfg.expertLabels());
            CaseSet set = CaseSet.read(cfg.data(), cfg.maxCases());
            set.messages().forEach(this::problem);
            if (set.records().isEmpty())
                throw new IllegalArgumentException("--data " + cfg.data() + ": no consultation to evaluate (" + set.skipped() + " record(s) skipped)");
            if (cfg.expertLabels() != null && labels == null) labels = ExpertLabels.fromGrades(set.records());

            List<Participant> models = new ArrayList<>(), baselines = new ArrayList<>();
            for (String s : cfg.models()) models.addAll(ParticipantSpecs.resolve("--model", s, set.records()));
            for (Replier r : cfg.repliers()) models.add(new Participant.Generating(r.name(), null, r));
            for (String s : cfg.baselines()) baselines.addAll(ParticipantSpecs.resolve("--baseline", s, set.records()));
            unique("--model", models);
            unique("--baseline", baselines);
            for (Participant p : models) if (p instanceof Participant.Generating g && g.spec() != null) g.spec().check("--model", System::getenv);
            for (Participant p : baselines) if (p instanceof Participant.Generating g && g.spec() != null) g.spec().check("--baseline", System::getenv);
            if (log != null) log.printf("eval consult: %d case(s) (%d skipped), %d model(s) × %d baseline(s), %s mode, judge %s%n",
                    set.records().size(), set.skipped(), models.size(), baselines.size(), cfg.mode().flag(), cfg.judge());

            Map<String, Participant> everyone = new LinkedHashMap<>();
            for (Participant p : models) everyone.putIfAbsent(p.name(), p);
            for (Participant p : baselines) everyone.putIfAbsent(p.name(), p);
            Map<String, Map<String, Transcript>> transcripts = transcripts(set, everyone);

            List<ConsultPair> pairs = pairs(set, models, baselines, transcripts);
            String judgeKey = cfg.judge() + "|" + (cfg.singleOrder() ? "single-order" : "both-orders");
            Map<String, Judgment> judgments = new LinkedHashMap<>();
            Map<String, Map<Dimension, Integer>> scores = null;
            try (LazyJudging judging = new LazyJudging()) {
                judge(pairs, judgeKey, judgments, judging);
                if (cfg.absolute()) scores = score(set, everyone.keySet(), transcripts, judgeKey, judging);
            }
            return summarize(set, models, pairs, judgments, scores, labels, transcripts);
        }

        private static void unique(String flag, List<Participant> ps) {
            Set<String> seen = new LinkedHashSet<>();
            for (Participant p : ps)
                if (!seen.add(p.name())) throw new IllegalArgumentException(flag + ": two participants are named '" + p.name() + "'; give one a name=LABEL");
        }

        /** Opens the judge only when something needs judging (a fully resumed run makes no judge call). */
        final class LazyJudging implements AutoCloseable {
            Judging j;

            Judging get() {
                if (j == null) {
                    Judging.Config c = cfg.singleOrder() ? Judging.Config.SINGLE_ORDER : Judging.Config.BOTH_ORDERS;
                    j = JudgeSpecs.open(cfg.judge(), cfg.judgeOptions(), c, SqliteVerdictCache.open(dir.resolve(RunFiles.CACHE)));
                }
                return j;
            }

            @Override public void close() { if (j != null) j.close(); }
        }

        // ---- transcripts -------------------------------------------------------------------------------------------

        String key(Participant.Generating g) {
            String k = g.identity() + "|" + cfg.mode().flag() + "|max_new_tokens=" + cfg.maxNewTokens() + "|prompt=" + ConsultConfig.PROMPT_VERSION;
            return cfg.mode() == ConsultConfig.Mode.SIMULATED ? k + "|budget=" + cfg.turnBudget() + "|patient=" + cfg.patient() : k;
        }

        Map<String, Map<String, Transcript>> transcripts(CaseSet set, Map<String, Participant> everyone) throws IOException {
            Path file = dir.resolve(RunFiles.TRANSCRIPTS);
            Map<String, Transcript> stored = storedTranscripts(file);
            Map<String, Map<String, Transcript>> out = new LinkedHashMap<>();
            for (Participant p : everyone.values()) {
                Map<String, Transcript> mine = new LinkedHashMap<>();
                out.put(p.name(), mine);
                switch (p) {
                    case Participant.Recorded r -> {
                        for (MediRecord rec : set.records()) {
                            List<Turn> t = r.transcripts().apply(rec);
                            if (t != null && !t.isEmpty()) mine.put(rec.id(), Transcript.of(r.name(), rec.id(), r.source(), null, t));
                        }
                    }
                    case Participant.Generating g -> generate(set, g, stored, mine, file);
                }
            }
            StringBuilder sb = new StringBuilder();
            for (Map<String, Transcript> m : out.values()) for (Transcript t : m.values()) sb.append(RunFiles.line(t)).append('\n');
            RunFiles.writeAtomically(file, sb.toString());
            return out;
        }

        private Map<String, Transcript> storedTranscripts(Path file) throws IOException {
            Map<String, Transcript> out = new HashMap<>();
            if (!Files.isRegularFile(file)) return out;
            try (ai.pulsemind.data.JsonlReader in = new ai.pulsemind.data.JsonlReader(file)) {
                ai.pulsemind.data.JsonlReader.Line l;
                while ((l = in.next()) != null) {
                    try {
                        Transcript t = RunFiles.JSON.treeToValue(ai.pulsemind.data.JsonlReader.parse(file.toString(), l), Transcript.class);
                        if (t.key() != null && t.judgeable()) out.put(t.model() + "\u0000" + t.caseId(), t);
                    } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
                        problem("ignored (generated again): " + file + ":" + l.number() + ": " + e.getMessage());
                    }
                }
            }
            return out;
        }

        private void generate(CaseSet set, Participant.Generating g, Map<String, Transcript> stored, Map<String, Transcript> mine, Path file)
                throws IOException {
            String key = key(g);
            List<MediRecord> todo = new ArrayList<>();
            for (MediRecord r : set.records()) {
                Transcript t = stored.get(g.name() + "\u0000" + r.id());
                if (t != null && key.equals(t.key())) { mine.put(r.id(), t); reusedTranscripts++; } else todo.add(r);
            }
            if (todo.isEmpty()) return;
            Progress p = progress("eval consult: " + g.name(), todo.size());
            Replier m = g.replier() != null ? g.replier() : Repliers.open(g.spec(), cfg.device(), cfg.threads());
            try (BufferedWriter w = RunFiles.append(file)) {
                java.util.function.Consumer<Transcript> done = t -> {
                    mine.put(t.caseId(), t);
                    generated++;
                    try {
                        w.write(RunFiles.line(t));
                        w.newLine();
                        w.flush(); // a finished consultation survives an interruption
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
                Consultations.Failed failed = (r, why) -> {
                    generationFailures++;
                    problem(r.id() + ": " + why);
                };
                if (cfg.mode() == ConsultConfig.Mode.REPLAY) Consultations.replay(m, todo, set, cfg, key, done, failed, p);
                else try (SimulatedPatient patient = patient()) {
                    Consultations.simulate(m, patient, todo, set, cfg, key, done, failed, p);
                }
            } finally {
                if (g.replier() == null) m.close();
                if (given == null) p.finish();
            }
        }

        private SimulatedPatient patient() {
            if (cfg.patient().equals("scripted")) return new ScriptedPatient();
            ModelSpec s = ModelSpec.parse("--patient", cfg.patient());
            s.check("--patient", System::getenv);
            return new LlmPatient(Repliers.open(s, cfg.device(), cfg.threads()), cfg.maxNewTokens());
        }

        // ---- pairs and judging -------------------------------------------------------------------------------------

        List<ConsultPair> pairs(CaseSet set, List<Participant> models, List<Participant> baselines, Map<String, Map<String, Transcript>> ts) {
            List<ConsultPair> out = new ArrayList<>();
            for (MediRecord r : set.records()) {
                String dept = r.department().isBlank() ? "(none)" : r.department();
                Path root = set.root(r);
                Conversation opening = Conversation.ofRecord(r, 1, root, null);
                Reference whole = Reference.ofRecord(r);
                for (Participant m : models)
                    for (Participant b : baselines) {
                        if (m.name().equals(b.name())) continue;
                        Transcript a = ts.get(m.name()).get(r.id()), c = ts.get(b.name()).get(r.id());
                        if (a == null || c == null || !a.judgeable() || !c.judgeable()) continue;
                        String id = ConsultPair.id(r.id(), m.name(), b.name(), PairwiseOutcome.WHOLE);
                        out.add(new ConsultPair(id, r.id(), dept, m.name(), b.name(), PairwiseOutcome.WHOLE, a.doctorLength(), c.doctorLength(),
                                new JudgeRequest(id, opening, whole, Answer.transcript(a.turns()), Answer.transcript(c.turns()))));
                        if (!cfg.perTurn() || !Consultations.doctorTurnsAligned(r, a.turns()) || !Consultations.doctorTurnsAligned(r, c.turns())) continue;
                        for (int i : Conversation.doctorTurns(r)) {
                            String tid = ConsultPair.id(r.id(), m.name(), b.name(), i);
                            String x = a.turns().get(i).text(), y = c.turns().get(i).text();
                            out.add(new ConsultPair(tid, r.id(), dept, m.name(), b.name(), i, x.length(), y.length(),
                                    new JudgeRequest(tid, Conversation.ofRecord(r, i, root, null), Reference.ofTurn(r, i), Answer.reply(x), Answer.reply(y))));
                        }
                    }
            }
            return out;
        }

        void judge(List<ConsultPair> pairs, String judgeKey, Map<String, Judgment> out, LazyJudging judging) throws IOException {
            Path file = dir.resolve(RunFiles.JUDGMENTS);
            Map<String, Judgment> stored = JudgmentLines.readPairs(file, judgeKey, log);
            List<ConsultPair> todo = new ArrayList<>();
            for (ConsultPair p : pairs) {
                Judgment j = stored.get(p.id());
                if (j != null) { out.put(p.id(), j); reusedJudgments++; } else todo.add(p);
            }
            StringBuilder keep = new StringBuilder(); // another judge's lines as they were, then this run's stored pairs
            for (String l : JudgmentLines.otherJudges(file, judgeKey)) keep.append(l).append('\n');
            for (ConsultPair p : pairs) if (out.containsKey(p.id())) keep.append(JudgmentLines.pair(p, out.get(p.id()), judgeKey)).append('\n');
            RunFiles.writeAtomically(file, keep.toString());
            if (todo.isEmpty()) return;
            if (log != null) log.printf("eval consult: judging %d pair(s) (%d reused)%n", todo.size(), reusedJudgments);
            Progress p = progress("eval consult: judging", todo.size());
            try (BufferedWriter w = RunFiles.append(file)) {
                for (int at = 0; at < todo.size(); at += JUDGE_CHUNK) {
                    List<ConsultPair> chunk = todo.subList(at, Math.min(todo.size(), at + JUDGE_CHUNK));
                    List<Judgment> js = judging.get().compare(chunk.stream().map(ConsultPair::request).toList(), p);
                    for (int i = 0; i < chunk.size(); i++) {
                        Judgment j = js.get(i);
                        ConsultPair c = chunk.get(i);
                        if (!j.ok()) {
                            judgeFailures++;
                            p.failed(1);
                            problem(c.id() + ": the judge failed: " + j.error());
                            continue;
                        }
                        judged++;
                        out.put(c.id(), j);
                        w.write(JudgmentLines.pair(c, j, judgeKey));
                        w.newLine();
                    }
                    w.flush();
                }
            } finally {
                if (given == null) p.finish();
            }
        }

        Map<String, Map<Dimension, Integer>> score(CaseSet set, Set<String> names, Map<String, Map<String, Transcript>> ts, String judgeKey,
                                                   LazyJudging judging) throws IOException {
            Path file = dir.resolve(RunFiles.SCORES);
            Map<String, ScoreJudgment> stored = JudgmentLines.readScores(file, judgeKey, log);
            Map<String, Map<Dimension, Integer>> out = new LinkedHashMap<>();
            List<ScoreRequest> todo = new ArrayList<>();
            Map<String, String[]> meta = new HashMap<>();
            StringBuilder keep = new StringBuilder();
            for (MediRecord r : set.records()) {
                String dept = r.department().isBlank() ? "(none)" : r.department();
                for (String n : names) {
                    Transcript t = ts.get(n).get(r.id());
                    if (t == null || !t.judgeable()) continue;
                    String id = r.id() + "|" + n;
                    meta.put(id, new String[] {r.id(), dept, n});
                    ScoreJudgment s = stored.get(id);
                    if (s != null) {
                        out.put(id, s.scores().scores());
                        keep.append(JudgmentLines.score(id, judgeKey, r.id(), dept, n, s)).append('\n');
                    } else todo.add(new ScoreRequest(id, Conversation.ofRecord(r, 1, set.root(r), null), Reference.ofRecord(r), Answer.transcript(t.turns())));
                }
            }
            RunFiles.writeAtomically(file, keep.toString());
            if (todo.isEmpty()) return out;
            Progress p = progress("eval consult: scoring", todo.size());
            try (BufferedWriter w = RunFiles.append(file)) {
                for (int at = 0; at < todo.size(); at += JUDGE_CHUNK) {
                    List<ScoreRequest> chunk = todo.subList(at, Math.min(todo.size(), at + JUDGE_CHUNK));
                    List<ScoreJudgment> ss = judging.get().score(chunk, p);
                    for (ScoreJudgment s : ss) {
                        if (!s.ok()) {
                            judgeFailures++;
                            p.failed(1);
                            problem(s.id() + ": the judge failed to score: " + s.error());
                            continue;
                        }
                        String[] m = meta.get(s.id());
                        out.put(s.id(), s.scores().scores());
                        w.write(JudgmentLines.score(s.id(), judgeKey, m[0], m[1], m[2], s));
                        w.newLine();
                    }
                    w.flush();
                }
            } finally {
                if (given == null) p.finish();
            }
            return out;
        }

        // ---- statistics --------------------------------------------------------------------------------------------

        ConsultSummary summarize(CaseSet set, List<Participant> models, List<ConsultPair> pairs, Map<String, Judgment> judgments,
                                 Map<String, Map<Dimension, Integer>> scores, List<ExpertLabels.Label> labels,
                                 Map<String, Map<String, Transcript>> ts) throws IOException {
            Resampling rs = new Resampling(cfg.resamples(), ai.pulsemind.evaluate.stats.Bootstrap.DEFAULT_LEVEL, cfg.seed());
            List<PairwiseOutcome> whole = new ArrayList<>(), turns = new ArrayList<>();
            List<JudgeRequest> reqs = new ArrayList<>();
            List<Judgment> js = new ArrayList<>();
            Map<String, ConsultPair> byId = new HashMap<>();
            for (ConsultPair p : pairs) {
                byId.put(p.id(), p);
                Judgment j = judgments.get(p.id());
                if (j == null) continue;
                reqs.add(p.request());
                js.add(j);
                for (Dimension d : Dimension.values()) {
                    PairwiseOutcome o = new PairwiseOutcome(p.caseId(), p.department(), p.model(), p.baseline(), d.key(),
                            JudgmentLines.outcome(j.verdict(d)), p.turn(), new PairwiseOutcome.Lengths(p.modelLength(), p.baselineLength()));
                    (p.turn() == PairwiseOutcome.WHOLE ? whole : turns).add(o);
                }
            }
            if (whole.isEmpty()) throw new IllegalStateException("no judged pair: every judgment failed or no model had a transcript to compare ("
                    + judgeFailures + " judge failure(s), " + generationFailures + " failed consultation(s)); see " + dir);
            WinRates.Result w = WinRates.analyze(whole, rs);
            WinRates.Result t = turns.isEmpty() ? null : WinRates.analyze(turns, rs);
            BradleyTerry.Ratings bt = ratings(whole, rs);
            AbsoluteScores.Result abs = null;
            if (scores != null && !scores.isEmpty()) {
                List<AbsoluteScore> as = new ArrayList<>();
                Map<String, String> dept = new HashMap<>();
                for (MediRecord r : set.records()) dept.put(r.id(), r.department().isBlank() ? "(none)" : r.department());
                for (var e : scores.entrySet()) {
                    int bar = e.getKey().indexOf('|');
                    String c = e.getKey().substring(0, bar), m = e.getKey().substring(bar + 1);
                    for (Dimension d : Dimension.values()) as.add(AbsoluteScore.of(c, dept.get(c), m, d.key(), e.getValue().get(d)));
                }
                abs = AbsoluteScores.analyze(as, rs);
            }
            ExpertLabels.Result experts = labels == null ? null : ExpertLabels.agreement(labels, judgments, byId, scores);
            List<ConsultSummary.SimulationStats> sim = new ArrayList<>();
            if (cfg.mode() == ConsultConfig.Mode.SIMULATED)
                for (Participant m : models) {
                    if (!(m instanceof Participant.Generating)) continue;
                    int n = 0;
                    double turnsUsed = 0, facts = 0, total = 0, dx = 0;
                    for (Transcript x : ts.get(m.name()).values()) {
                        if (x.turnsUsed() == null) continue;
                        n++;
                        turnsUsed += x.turnsUsed();
                        facts += x.factsElicited();
                        total += x.factsTotal();
                        dx += Boolean.TRUE.equals(x.diagnosed()) ? 1 : 0;
                    }
                    sim.add(new ConsultSummary.SimulationStats(m.name(), n, n == 0 ? Double.NaN : turnsUsed / n, total == 0 ? Double.NaN : facts / total,
                            n == 0 ? Double.NaN : dx / n));
                }
            var counts = new ConsultSummary.Counts(set.records().size(), set.malformed(), set.noDoctor(), set.missingImages(), generated,
                    reusedTranscripts, generationFailures, pairs.size(), judged, reusedJudgments, judgeFailures);
            ConsultSummary s = new ConsultSummary(cfg.mode().flag(), cfg.judge(), w, t, bt, abs, Diagnostics.of(reqs, js), experts, sim, counts,
                    List.copyOf(problems), dir);
            s.write(dir.resolve(RunFiles.SUMMARY));
            ConsultReport.build(cfg, s).write(dir);
            return s;
        }

        /** Ratings of everyone; when the plain fit has no maximum (someone never lost or never won), with a small prior. */
        private BradleyTerry.Ratings ratings(List<PairwiseOutcome> whole, Resampling rs) {
            BradleyTerry.Config c = BradleyTerry.Config.anchoredAt(null);
            try {
                return BradleyTerry.fit(whole, c, rs);
            } catch (IllegalArgumentException noMaximum) {
                problem("ratings: " + noMaximum.getMessage() + "; fitted with a prior of 0.5 virtual ties per compared pair");
                try {
                    return BradleyTerry.fit(whole, c.withPrior(0.5), rs);
                } catch (IllegalArgumentException still) {
                    problem("ratings: " + still.getMessage());
                    return null;
                }
            }
        }
    }

}

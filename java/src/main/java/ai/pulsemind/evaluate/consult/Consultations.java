package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Diagnosis;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import ai.pulsemind.evaluate.models.Replier;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A model under test consulting every case, batched across cases (round k asks every case's k-th doctor turn at
 * once, so the engine or endpoint decodes them together).
 * <ul>
 *   <li><b>Replay</b> (the paper's protocol): the record's patient turns are replayed; the model writes every doctor
 *       turn with its own earlier replies in context, in place of the real doctor's.</li>
 *   <li><b>Simulated</b>: the record's opening, then a {@link SimulatedPatient} answers each doctor turn, until the
 *       doctor gives a diagnosis or the turn budget is spent.</li>
 * </ul>
 * A batch that fails is retried prompt by prompt, each up to {@value #ATTEMPTS} times; a case whose prompt still fails
 * is reported through {@code failed} and left out, and the run goes on.
 */
final class Consultations {
    private Consultations() {}

    static final int ATTEMPTS = 3;

    /** Reports a case that could not be consulted: its id and why. */
    interface Failed {
        void failed(MediRecord r, String why);
    }

    private static final class Live {
        final MediRecord record;
        final List<Turn> turns;
        final int[] doctorAt;
        int next, doctorTurns;
        final java.util.Set<String> revealed = new HashSet<>();
        boolean diagnosed;

        Live(MediRecord r, List<Turn> turns) {
            record = r;
            this.turns = new ArrayList<>(turns);
            doctorAt = Conversation.doctorTurns(r);
        }
    }

    static void replay(Replier m, List<MediRecord> cases, CaseSet set, ConsultConfig cfg, String key, Consumer<Transcript> done,
                       Failed failed, Progress progress) {
        List<Live> live = new ArrayList<>();
        for (MediRecord r : cases) live.add(new Live(r, r.turns()));
        Replier.Decoding d = Replier.Decoding.greedy(cfg.maxNewTokens());
        while (!live.isEmpty()) {
            List<Conversation> prompts = new ArrayList<>();
            for (Live l : live) prompts.add(DoctorPrompt.of(l.record, l.turns.subList(0, l.doctorAt[l.next]), set.root(l.record)));
            List<Object> replies = ask(m, prompts, d, cfg.batch());
            List<Live> still = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                Live l = live.get(i);
                if (replies.get(i) instanceof RuntimeException e) {
                    failed.failed(l.record, m.name() + " failed " + ATTEMPTS + " times: " + e.getMessage());
                    progress.failed(1);
                    continue;
                }
                l.turns.set(l.doctorAt[l.next], Turn.doctor((String) replies.get(i)));
                if (++l.next < l.doctorAt.length) still.add(l);
                else {
                    done.accept(Transcript.of(m.name(), l.record.id(), "replay", key, l.turns));
                    progress.advance(1);
                }
            }
            live = still;
        }
    }

    static void simulate(Replier m, SimulatedPatient patient, List<MediRecord> cases, CaseSet set, ConsultConfig cfg, String key,
                         Consumer<Transcript> done, Failed failed, Progress progress) {
        List<Live> live = new ArrayList<>();
        for (MediRecord r : cases) live.add(new Live(r, List.of(r.turns().getFirst())));
        Replier.Decoding d = Replier.Decoding.greedy(cfg.maxNewTokens());
        while (!live.isEmpty()) {
            List<Conversation> prompts = new ArrayList<>();
            for (Live l : live) prompts.add(DoctorPrompt.of(l.record, l.turns, set.root(l.record)));
            List<Object> replies = ask(m, prompts, d, cfg.batch());
            List<Live> asking = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                Live l = live.get(i);
                if (replies.get(i) instanceof RuntimeException e) {
                    failed.failed(l.record, m.name() + " failed " + ATTEMPTS + " times: " + e.getMessage());
                    progress.failed(1);
                    continue;
                }
                String reply = (String) replies.get(i);
                l.turns.add(Turn.doctor(reply));
                l.doctorTurns++;
                l.diagnosed = diagnoses(l.record, reply);
                if (l.diagnosed || l.doctorTurns >= cfg.turnBudget()) finish(l, m.name(), key, done, progress);
                else asking.add(l);
            }
            List<Live> still = new ArrayList<>();
            for (int at = 0; at < asking.size(); at += cfg.batch()) {
                List<Live> b = asking.subList(at, Math.min(asking.size(), at + cfg.batch()));
                List<SimulatedPatient.State> states = b.stream().map(l -> new SimulatedPatient.State(l.record, l.turns, l.revealed)).toList();
                List<Turn> answers;
                try {
                    answers = patient.answer(states);
                } catch (RuntimeException e) {
                    for (Live l : b) {
                        failed.failed(l.record, "the simulated patient (" + patient.name() + ") failed: " + e.getMessage());
                        progress.failed(1);
                    }
                    continue;
                }
                for (int i = 0; i < b.size(); i++) {
                    b.get(i).turns.add(answers.get(i));
                    still.add(b.get(i));
                }
            }
            live = still;
        }
    }

    private static void finish(Live l, String model, String key, Consumer<Transcript> done, Progress progress) {
        int facts = l.record.facts().size();
        done.accept(new Transcript(model, l.record.id(), "simulated", key, l.turns, l.doctorTurns, l.revealed.size(), facts, l.diagnosed));
        progress.advance(1);
    }

    /**
     * Whether a doctor's reply gives a diagnosis: it names the record's diagnosis (or a differential), or says it
     * is giving one ("most likely", "diagnosis is", "诊断", "考虑为").
     */
    static boolean diagnoses(MediRecord r, String reply) {
        String t = reply.toLowerCase(Locale.ROOT);
        Diagnosis dx = r.diagnosis();
        if (dx != null) {
            List<String> names = new ArrayList<>();
            names.add(dx.name());
            if (dx.differentials() != null) names.addAll(dx.differentials());
            for (String n : names) {
                if (n == null || n.isBlank()) continue;
                String base = n.toLowerCase(Locale.ROOT).replaceAll("\\s*[(（].*$", "").strip();
                if (!base.isEmpty() && t.contains(base)) return true;
            }
        }
        for (String cue : List.of("most likely diagnosis", "the diagnosis is", "likely diagnosis", "my diagnosis", "诊断为", "诊断是", "考虑为", "最可能是"))
            if (t.contains(cue)) return true;
        return false;
    }

    /** One reply (String) or the last failure (RuntimeException) per prompt, in order. */
    static List<Object> ask(Replier m, List<Conversation> prompts, Replier.Decoding d, int batch) {
        List<Object> out = new ArrayList<>(prompts.size());
        for (int at = 0; at < prompts.size(); at += batch) {
            List<Conversation> b = prompts.subList(at, Math.min(prompts.size(), at + batch));
            try {
                List<String> r = m.reply(b, d);
                if (r.size() != b.size()) throw new IllegalStateException(m.name() + " returned " + r.size() + " replies for " + b.size() + " prompts");
                out.addAll(r);
                continue;
            } catch (RuntimeException batchFailed) {
                // each prompt alone below
            }
            for (Conversation c : b) {
                RuntimeException last = null;
                String reply = null;
                for (int k = 0; k < ATTEMPTS && reply == null; k++) {
                    try {
                        reply = m.reply(List.of(c), d).getFirst();
                    } catch (RuntimeException e) {
                        last = e;
                    }
                }
                out.add(reply != null ? reply : last);
            }
        }
        return out;
    }

    static boolean doctorTurnsAligned(MediRecord r, List<Turn> t) {
        if (t.size() != r.turns().size()) return false;
        for (int i = 0; i < t.size(); i++) {
            Turn a = r.turns().get(i), b = t.get(i);
            if (a.role() != b.role()) return false;
            if (a.role() == Role.PATIENT && !a.text().equals(b.text())) return false;
        }
        return true;
    }
}

package ai.pulsemind.crpo;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreJudgment;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.Verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rewards of a rollout batch from the judge.
 * <pre>
 *   crpo (the paper):  s[g,c,d] = 1 win, t tie (paper t = 0), 0 loss      sample g vs opponent c on dimension d
 *                      S[g,d]   = mean over the opponents c whose judgement succeeded
 *   grpo (ablation):   S[g,d]   = (score_d − 1) / 4                        the judge's absolute 1–5 score, in [0, 1]
 *   normalised (opt.): S[g,d] ← (S[g,d] − mean_group S[:,d]) / (std_group S[:,d] + ε)   before summing
 *   R[g]               = Σ_d w_d S[g,d] / Σ_d w_d  over the dimensions with a score (paper: w_d = 1, the mean)
 * </pre>
 * Opponents are the record's counterpart replies at the same point of the consultation (crpo), or the group's other
 * samples (intra-group mode: every unordered pair judged once; the second sample of a pair takes the flipped
 * verdict). Each judgement is asked in both presentation orders when the {@link Judging} is so configured
 * (disagreement is a tie). A failed judgement is counted and left out of the means; a sample with none left gets
 * reward NaN (no reward: it is dropped from the update), and a group with no reward at all is reported as failed.
 */
public final class Rewards {
    private Rewards() {}

    public static final List<Dimension> DIMS = List.of(Dimension.values());

    /** Comparisons with counterparts (the paper) or absolute scores (the GRPO ablation). */
    public enum Kind {
        CRPO, GRPO;

        public static Kind parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("--reward must be crpo or grpo, got '" + s + "'");
            }
        }
    }

    /**
     * @param tieScore          what a tie is worth (paper: 0)
     * @param weights           per dimension in {@link Dimension} order, ≥ 0, not all 0
     * @param intraGroup        opponents are the other samples of the group instead of the counterparts
     * @param normalizeDimensions z-score each dimension within the group before the weighted sum
     */
    public record Settings(Kind kind, double tieScore, double[] weights, boolean intraGroup, boolean normalizeDimensions) {
        public Settings {
            if (!(tieScore >= 0 && tieScore <= 1)) throw new IllegalArgumentException("--tie-score must be in [0, 1], got " + tieScore);
            if (weights == null) {
                weights = new double[DIMS.size()];
                Arrays.fill(weights, 1);
            }
            if (weights.length != DIMS.size())
                throw new IllegalArgumentException("--dimension-weights needs " + DIMS.size() + " values (" + DIMS.stream().map(Dimension::key).toList() + "), got " + weights.length);
            double sum = 0;
            for (double w : weights) {
                if (!(w >= 0)) throw new IllegalArgumentException("--dimension-weights must be >= 0, got " + Arrays.toString(weights));
                sum += w;
            }
            if (sum == 0) throw new IllegalArgumentException("--dimension-weights are all 0");
            weights = weights.clone();
            if (kind == Kind.GRPO && intraGroup) throw new IllegalArgumentException("--intra-group compares samples; it does not apply to --reward grpo");
        }
    }

    /** One opponent reply: who wrote it and what it says. */
    public record Opponent(String model, String text) {}

    /**
     * The samples of one prompt and what they are judged against.
     *
     * @param id          a stable id of the prefix (record id and turn), for request ids and dumps
     * @param context     the consultation up to the doctor's turn
     * @param reference   the real doctor's reply and the record (what the rubric judge reads)
     * @param samples     the G sampled replies
     * @param counterparts the record's counterpart replies at this turn (crpo mode)
     */
    public record Group(String id, Conversation context, Reference reference, List<String> samples, List<Opponent> counterparts) {
        public Group {
            samples = List.copyOf(samples);
            counterparts = List.copyOf(counterparts);
        }
    }

    /**
     * @param rewards    (B·G) R, NaN where no judgement of the sample succeeded
     * @param dimensions (B·G, D) S before normalisation, NaN where none
     * @param verdicts   (B·G) per opponent model, the verdict per dimension key from the sample's side ("win",
     *                   "tie", "loss"), or the error; grpo mode: the scores
     * @param wins       per dimension: wins and valid comparisons (crpo mode; intra-group pairs count once each side)
     * @param failures   judgements that failed
     * @param judged     judgements asked
     * @param failedGroups groups in which no sample got a reward
     */
    public record Result(double[] rewards, double[][] dimensions, List<Map<String, Object>> verdicts, long[][] wins,
                         long failures, long judged, int failedGroups) {
        /** Win rate on dimension d over the valid comparisons (NaN when none). */
        public double winRate(int d) { return wins[d][1] == 0 ? Double.NaN : (double) wins[d][0] / wins[d][1]; }
    }

    public static Result compute(List<Group> groups, Judging judging, Settings s) {
        return s.kind() == Kind.GRPO ? scores(groups, judging, s) : comparisons(groups, judging, s);
    }

    private static Result comparisons(List<Group> groups, Judging judging, Settings s) {
        int d = DIMS.size(), n = groups.stream().mapToInt(g -> g.samples().size()).sum();
        double[][] sum = new double[n][d];
        int[][] count = new int[n][d];
        long[][] wins = new long[d][2];
        List<Map<String, Object>> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) verdicts.add(new LinkedHashMap<>());
        List<JudgeRequest> reqs = new ArrayList<>();
        List<int[]> who = new ArrayList<>(); // {sample a (flat), sample b (flat) or −1 − counterpart index}
        int base = 0;
        for (Group g : groups) {
            int gs = g.samples().size();
            for (int a = 0; a < gs; a++) {
                if (s.intraGroup()) {
                    for (int b = a + 1; b < gs; b++) {
                        reqs.add(new JudgeRequest(g.id() + "/s" + a + "-s" + b, g.context(), g.reference(),
                                Answer.reply(g.samples().get(a)), Answer.reply(g.samples().get(b))));
                        who.add(new int[] {base + a, base + b});
                    }
                } else {
                    for (int c = 0; c < g.counterparts().size(); c++) {
                        reqs.add(new JudgeRequest(g.id() + "/s" + a + "-" + g.counterparts().get(c).model(), g.context(), g.reference(),
                                Answer.reply(g.samples().get(a)), Answer.reply(g.counterparts().get(c).text())));
                        who.add(new int[] {base + a, -1 - c});
                    }
                }
            }
            base += gs;
        }
        List<Judgment> js = judging.compare(reqs);
        long failures = 0;
        for (int k = 0; k < reqs.size(); k++) {
            Judgment j = js.get(k);
            int a = who.get(k)[0], b = who.get(k)[1];
            String opponent = b >= 0 ? "sample-" + sampleIndex(groups, b) : counterpartModel(groups, a, -1 - b);
            if (!j.ok()) {
                failures++;
                verdicts.get(a).put(opponent, Map.of("error", j.error()));
                if (b >= 0) verdicts.get(b).put("sample-" + sampleIndex(groups, a), Map.of("error", j.error()));
                continue;
            }
            Map<String, String> va = new LinkedHashMap<>(), vb = new LinkedHashMap<>();
            for (int x = 0; x < d; x++) {
                Verdict v = j.verdict(DIMS.get(x));
                if (v == null) continue;
                add(sum, count, wins, a, x, v, s.tieScore(), b < 0);
                va.put(DIMS.get(x).key(), word(v));
                if (b >= 0) {
                    add(sum, count, wins, b, x, v.flip(), s.tieScore(), false);
                    vb.put(DIMS.get(x).key(), word(v.flip()));
                }
            }
            verdicts.get(a).put(opponent, va);
            if (b >= 0) verdicts.get(b).put("sample-" + sampleIndex(groups, a), vb);
        }
        double[][] dims = new double[n][d];
        for (int i = 0; i < n; i++)
            for (int x = 0; x < d; x++) dims[i][x] = count[i][x] == 0 ? Double.NaN : sum[i][x] / count[i][x];
        return finish(groups, dims, verdicts, wins, failures, reqs.size(), s);
    }

    private static void add(double[][] sum, int[][] count, long[][] wins, int i, int x, Verdict v, double tie, boolean vsCounterpart) {
        sum[i][x] += v == Verdict.A ? 1 : v == Verdict.TIE ? tie : 0;
        count[i][x]++;
        if (vsCounterpart) {
            if (v == Verdict.A) wins[x][0]++;
            wins[x][1]++;
        }
    }

    private static String word(Verdict v) { return v == Verdict.A ? "win" : v == Verdict.TIE ? "tie" : "loss"; }

    private static int sampleIndex(List<Group> groups, int flat) {
        for (Group g : groups) {
            if (flat < g.samples().size()) return flat;
            flat -= g.samples().size();
        }
        throw new IndexOutOfBoundsException();
    }

    private static String counterpartModel(List<Group> groups, int flat, int c) {
        for (Group g : groups) {
            if (flat < g.samples().size()) return g.counterparts().get(c).model();
            flat -= g.samples().size();
        }
        throw new IndexOutOfBoundsException();
    }

    private static Result scores(List<Group> groups, Judging judging, Settings s) {
        int d = DIMS.size(), n = groups.stream().mapToInt(g -> g.samples().size()).sum();
        List<ScoreRequest> reqs = new ArrayList<>(n);
        for (Group g : groups)
            for (int a = 0; a < g.samples().size(); a++)
                reqs.add(new ScoreRequest(g.id() + "/s" + a, g.context(), g.reference(), Answer.reply(g.samples().get(a))));
        List<ScoreJudgment> js = judging.score(reqs);
        double[][] dims = new double[n][d];
        List<Map<String, Object>> verdicts = new ArrayList<>(n);
        long failures = 0;
        for (int i = 0; i < n; i++) {
            ScoreJudgment j = js.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            if (!j.ok()) {
                failures++;
                Arrays.fill(dims[i], Double.NaN);
                m.put("error", j.error());
            } else {
                for (int x = 0; x < d; x++) {
                    int sc = j.score(DIMS.get(x));
                    dims[i][x] = (sc - 1) / 4.0;
                    m.put(DIMS.get(x).key(), sc);
                }
            }
            Map<String, Object> wrap = new LinkedHashMap<>();
            wrap.put("scores", m);
            verdicts.add(wrap);
        }
        return finish(groups, dims, verdicts, new long[d][2], failures, n, s);
    }

    private static Result finish(List<Group> groups, double[][] dims, List<Map<String, Object>> verdicts, long[][] wins,
                                 long failures, long judged, Settings s) {
        int d = DIMS.size(), n = dims.length;
        double[][] used = dims;
        if (s.normalizeDimensions()) {
            used = new double[n][];
            for (int i = 0; i < n; i++) used[i] = dims[i].clone();
            int base = 0;
            for (Group g : groups) {
                int gs = g.samples().size();
                for (int x = 0; x < d; x++) {
                    double[] col = new double[gs];
                    for (int a = 0; a < gs; a++) col[a] = dims[base + a][x];
                    double[] st = Advantages.stats(col, 0, gs);
                    for (int a = 0; a < gs; a++)
                        if (!Double.isNaN(col[a])) used[base + a][x] = (col[a] - st[0]) / (st[1] + 1e-4);
                }
                base += gs;
            }
        }
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            double num = 0, den = 0;
            for (int x = 0; x < d; x++) {
                if (Double.isNaN(used[i][x]) || s.weights()[x] == 0) continue;
                num += s.weights()[x] * used[i][x];
                den += s.weights()[x];
            }
            r[i] = den == 0 ? Double.NaN : num / den;
        }
        int failedGroups = 0, base = 0;
        for (Group g : groups) {
            boolean any = false;
            for (int a = 0; a < g.samples().size(); a++) any |= !Double.isNaN(r[base + a]);
            if (!any) failedGroups++;
            base += g.samples().size();
        }
        return new Result(r, dims, verdicts, wins, failures, judged, failedGroups);
    }
}

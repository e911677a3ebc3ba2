package ai.pulsemind.evaluate.stats;

import ai.pulsemind.data.Quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pairwise outcomes validated and indexed for resampling: the cases, models, baselines and dimensions in a fixed
 * order, and per case the win / tie / loss counts of each (model, baseline, dimension) cell it has outcomes in.
 * Resampling a set of cases is then a sum of small per-case count lists.
 *
 * <p>Order, so that results and reports are deterministic: cases, models and baselines in order of first
 * appearance; dimensions in the benchmark's order ({@link Quality#DIMENSIONS}), then any others as they appear.
 */
final class OutcomeTable {
    final List<String> cases = new ArrayList<>();
    final List<String> departments = new ArrayList<>(); // per case
    final List<String> models = new ArrayList<>();
    final List<String> baselines = new ArrayList<>();
    final List<String> dimensions;
    /** Per case: flattened (cell, wins, ties, losses) quadruples, cell = (m · B + b) · D + d. */
    final int[][] perCase;

    OutcomeTable(List<PairwiseOutcome> outcomes) {
        if (outcomes.isEmpty()) throw new IllegalArgumentException("no pairwise outcomes to analyse");
        Map<String, Integer> caseIx = new HashMap<>(), modelIx = new HashMap<>(), baseIx = new HashMap<>();
        List<String> dims = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean whole = outcomes.getFirst().wholeConsultation();
        for (PairwiseOutcome o : outcomes) {
            if (o.wholeConsultation() != whole)
                throw new IllegalArgumentException("case " + o.caseId() + ": whole-consultation and per-turn outcomes are mixed; analyse each kind on its own");
            String key = o.caseId() + "\u0000" + o.model() + "\u0000" + o.baseline() + "\u0000" + o.dimension() + "\u0000" + o.turn();
            if (!seen.add(key))
                throw new IllegalArgumentException("case " + o.caseId() + ": two outcomes for " + o.model() + " vs " + o.baseline()
                        + " on " + o.dimension() + (whole ? "" : " at turn " + o.turn()) + " (combine both orders into one outcome first)");
            Integer c = caseIx.putIfAbsent(o.caseId(), cases.size());
            if (c == null) { cases.add(o.caseId()); departments.add(o.department()); }
            else if (!departments.get(c).equals(o.department()))
                throw new IllegalArgumentException("case " + o.caseId() + " is in department '" + departments.get(c) + "' and '" + o.department() + "'");
            if (modelIx.putIfAbsent(o.model(), models.size()) == null) models.add(o.model());
            if (baseIx.putIfAbsent(o.baseline(), baselines.size()) == null) baselines.add(o.baseline());
            if (!dims.contains(o.dimension())) dims.add(o.dimension());
        }
        List<String> ordered = new ArrayList<>();
        for (String d : Quality.DIMENSIONS) if (dims.contains(d)) ordered.add(d);
        for (String d : dims) if (!ordered.contains(d)) ordered.add(d);
        dimensions = List.copyOf(ordered);
        perCase = index(outcomes, caseIx, modelIx, baseIx);
    }

    private int[][] index(List<PairwiseOutcome> outcomes, Map<String, Integer> caseIx, Map<String, Integer> modelIx, Map<String, Integer> baseIx) {
        List<Map<Integer, int[]>> byCase = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) byCase.add(new LinkedHashMap<>());
        for (PairwiseOutcome o : outcomes) {
            int cell = cell(modelIx.get(o.model()), baseIx.get(o.baseline()), dimensions.indexOf(o.dimension()));
            int[] wtl = byCase.get(caseIx.get(o.caseId())).computeIfAbsent(cell, k -> new int[3]);
            wtl[o.outcome().ordinal()]++;
        }
        int[][] out = new int[cases.size()][];
        for (int i = 0; i < out.length; i++) {
            Map<Integer, int[]> m = byCase.get(i);
            int[] flat = new int[4 * m.size()];
            int j = 0;
            for (var e : m.entrySet()) {
                flat[j++] = e.getKey();
                flat[j++] = e.getValue()[0];
                flat[j++] = e.getValue()[1];
                flat[j++] = e.getValue()[2];
            }
            out[i] = flat;
        }
        return out;
    }

    int cells() { return models.size() * baselines.size() * dimensions.size(); }

    int cell(int m, int b, int d) { return (m * baselines.size() + b) * dimensions.size() + d; }

    /** Win, tie and loss counts per cell, summed over the sampled cases (repeats counted again): (cells, 3). */
    long[] counts(int[] sample) {
        long[] wtl = new long[3 * cells()];
        for (int c : sample) {
            int[] flat = perCase[c];
            for (int j = 0; j < flat.length; j += 4) {
                int at = 3 * flat[j];
                wtl[at] += flat[j + 1];
                wtl[at + 1] += flat[j + 2];
                wtl[at + 2] += flat[j + 3];
            }
        }
        return wtl;
    }

    /** The indices of the cases in {@code department}. */
    int[] casesOf(String department) {
        return java.util.stream.IntStream.range(0, cases.size()).filter(i -> departments.get(i).equals(department)).toArray();
    }

    /** Departments in order of first appearance. */
    List<String> departmentList() { return departments.stream().distinct().toList(); }
}

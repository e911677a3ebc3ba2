package ai.pulsemind.data.batch;

import ai.pulsemind.data.EncodedSample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Groups a window of encoded samples into batches within a token budget. Pure and deterministic. */
final class Packer {
    private Packer() {}

    /** Samples longest first, ties by their place in the window, so the grouping depends on nothing else. */
    static List<EncodedSample> byLength(List<EncodedSample> samples) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) idx.add(i);
        idx.sort(Comparator.<Integer>comparingInt(i -> -samples.get(i).length()).thenComparingInt(i -> i));
        return idx.stream().map(samples::get).toList();
    }

    /** PACKED: first-fit decreasing into bins of at most maxTokens tokens and maxSamples samples. */
    static List<List<EncodedSample>> pack(List<EncodedSample> samples, int maxTokens, int maxSamples) {
        List<List<EncodedSample>> bins = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        for (EncodedSample s : byLength(samples)) {
            int b = 0;
            while (b < bins.size() && (used.get(b) + s.length() > maxTokens || bins.get(b).size() >= maxSamples)) b++;
            if (b == bins.size()) { bins.add(new ArrayList<>()); used.add(0); }
            bins.get(b).add(s);
            used.set(b, used.get(b) + s.length());
        }
        return bins;
    }

    /** PADDED: consecutive runs of the length-sorted samples while rows × longest row fits maxTokens. */
    static List<List<EncodedSample>> bucket(List<EncodedSample> samples, int maxTokens, int maxSamples) {
        List<List<EncodedSample>> out = new ArrayList<>();
        List<EncodedSample> cur = new ArrayList<>();
        for (EncodedSample s : byLength(samples)) {
            int longest = cur.isEmpty() ? s.length() : cur.getFirst().length();
            if (!cur.isEmpty() && ((cur.size() + 1) * (long) longest > maxTokens || cur.size() >= maxSamples)) {
                out.add(cur);
                cur = new ArrayList<>();
            }
            cur.add(s);
        }
        if (!cur.isEmpty()) out.add(cur);
        return out;
    }
}

package ai.pulsemind.backend;

import java.util.Objects;

/**
 * One row of {@link Backend#sample}: how to pick its token and where its random draws come from. The draws are
 * Philox4x32-10 keyed by {@code seed} at counter (element index / 4, {@code stream}, {@code step}), so they belong to
 * the request, never to the row's place in the batch: a request gives the same ids alone or batched with others,
 * admitted early or late.
 *
 * @param params how to pick (greedy or temperature / top-k / top-p, repetition penalty)
 * @param seed   the request's seed
 * @param stream which of the request's sample streams (the i-th of n samples of one prompt uses stream i)
 * @param step   the index of the token being picked among the request's new tokens (0 for the first)
 */
public record SampleRow(SamplingParams params, long seed, int stream, long step) {
    public SampleRow {
        Objects.requireNonNull(params, "params");
        if (stream < 0) throw new IllegalArgumentException("sampling: stream must be >= 0, got " + stream);
        if (step < 0) throw new IllegalArgumentException("sampling: step must be >= 0, got " + step);
    }

    /**
     * B rows that are streams 0..B−1 of one request (seed, params) at one step: n samples of one prompt decoded
     * together.
     */
    public static java.util.List<SampleRow> streams(SamplingParams params, long seed, long step, int b) {
        java.util.List<SampleRow> rows = new java.util.ArrayList<>(b);
        for (int r = 0; r < b; r++) rows.add(new SampleRow(params, seed, r, step));
        return rows;
    }

    /** Words per row in the packed form {@link #pack} writes (the CUDA kernel's row_params). */
    public static final int WORDS = 9;

    /**
     * Rows packed as the device sampler reads them, {@link #WORDS} int32 words each: temperature, top-k, top-p,
     * penalty (floats as their bits), seed (low, high), stream, step (low, high).
     */
    public static int[] pack(java.util.List<SampleRow> rows) {
        int[] w = new int[rows.size() * WORDS];
        for (int r = 0; r < rows.size(); r++) {
            SampleRow s = rows.get(r);
            int o = r * WORDS;
            w[o] = Float.floatToRawIntBits(s.params.temperature());
            w[o + 1] = s.params.topK();
            w[o + 2] = Float.floatToRawIntBits(s.params.topP());
            w[o + 3] = Float.floatToRawIntBits(s.params.repetitionPenalty());
            w[o + 4] = (int) s.seed;
            w[o + 5] = (int) (s.seed >>> 32);
            w[o + 6] = s.stream;
            w[o + 7] = (int) s.step;
            w[o + 8] = (int) (s.step >>> 32);
        }
        return w;
    }
}

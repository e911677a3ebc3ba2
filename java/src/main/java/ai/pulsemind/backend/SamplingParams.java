package ai.pulsemind.backend;

/**
 * How {@link Backend#sample} picks a token from a row of logits, in Hugging Face's processor order: repetition
 * penalty over the row's previous ids, then greedy (temperature ≤ 0 or top-k = 1) or temperature, top-k, top-p and
 * a seeded draw.
 *
 * @param temperature       divides the penalised logits; ≤ 0 means greedy
 * @param topK              keep the k largest (ties at the k-th kept); 0 = off
 * @param topP              keep the smallest top set whose probability reaches p (ties with its last value kept);
 *                          1 = off
 * @param repetitionPenalty a previous id's logit l becomes {@code l < 0 ? l·p : l/p}; 1 = off
 */
public record SamplingParams(float temperature, int topK, float topP, float repetitionPenalty) {
    public SamplingParams {
        if (Float.isNaN(temperature)) throw new IllegalArgumentException("sampling: temperature is NaN");
        if (topK < 0) throw new IllegalArgumentException("sampling: top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("sampling: top-p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty))
            throw new IllegalArgumentException("sampling: repetition penalty must be finite and > 0, got " + repetitionPenalty);
    }

    /** The arg-max of the (penalised) logits. */
    public static SamplingParams greedy(float repetitionPenalty) { return new SamplingParams(0f, 0, 1f, repetitionPenalty); }

    /** True when no draw happens: temperature ≤ 0 or top-k = 1. */
    public boolean isGreedy() { return !(temperature > 0) || topK == 1; }
}

package ai.pulsemind.model.qwen25vl;

/**
 * How a {@link Qwen25VL#forward} runs, beyond its inputs: one small record so that switches can be added without
 * changing the forward's signature again (add a component with a default in {@link #NONE} and a {@code with…}
 * method).
 *
 * @param cache      when not null, sequence s's keys and values are appended to cache slot {@code cacheSlots[s]}
 *                   (prefill for generation); null for a plain forward (training, scoring)
 * @param cacheSlots one slot per sequence when {@code cache} is set, else null
 */
public record ForwardOptions(KvCache cache, int[] cacheSlots) {
    public ForwardOptions {
        if ((cache == null) != (cacheSlots == null))
            throw new IllegalArgumentException("forward: a KV cache and its slots go together");
        if (cacheSlots != null) {
            cacheSlots = cacheSlots.clone();
            for (int s : cacheSlots)
                if (s < 0 || s >= cache.batch())
                    throw new IllegalArgumentException("forward: cache slot " + s + " not in [0, " + cache.batch() + ")");
        }
    }

    /** A plain forward: no cache. */
    public static final ForwardOptions NONE = new ForwardOptions(null, null);

    /** Prefill: sequence s appends to cache slot {@code slots[s]}. */
    public ForwardOptions withCache(KvCache cache, int... slots) { return new ForwardOptions(cache, slots); }
}

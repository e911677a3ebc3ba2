package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.nn.ForwardMode;

import java.util.Objects;

/**
 * How one {@link Qwen25VL#forward} runs, beyond its inputs, as its one argument: the {@link ForwardMode} (LoRA
 * adapters on or off, their dropout, layer recomputation) and, for a generation prefill, the KV cache slots the
 * sequences append to. Training calls {@code ForwardOptions.of(ForwardMode.training(key, recompute))}, CRPO's
 * reference {@code ForwardOptions.of(ForwardMode.BASE)}, the engine {@code INFERENCE.withCache(cache, slots)}. A
 * new switch is one more component with its default in {@link #INFERENCE} and a {@code with…} method.
 *
 * @param mode       adapters, dropout and recomputation (recomputation does not apply with a cache: a prefill runs
 *                   without the tape)
 * @param cache      when not null, sequence s's keys and values are appended to cache slot {@code cacheSlots[s]};
 *                   null for a plain forward (training, scoring)
 * @param cacheSlots one slot per sequence when {@code cache} is set, else null
 */
public record ForwardOptions(ForwardMode mode, KvCache cache, int[] cacheSlots) {
    public ForwardOptions {
        Objects.requireNonNull(mode, "forward: mode");
        if ((cache == null) != (cacheSlots == null))
            throw new IllegalArgumentException("forward: a KV cache and its slots go together");
        if (cacheSlots != null) {
            cacheSlots = cacheSlots.clone();
            for (int s : cacheSlots)
                if (s < 0 || s >= cache.batch())
                    throw new IllegalArgumentException("forward: cache slot " + s + " not in [0, " + cache.batch() + ")");
        }
    }

    /** Evaluation and generation: adapters applied, no dropout, no cache. */
    public static final ForwardOptions INFERENCE = new ForwardOptions(ForwardMode.INFERENCE, null, null);

    /** A plain forward (no cache) in {@code mode}. */
    public static ForwardOptions of(ForwardMode mode) { return new ForwardOptions(mode, null, null); }

    /** The same forward, sequence s appending to cache slot {@code slots[s]} (a prefill). */
    public ForwardOptions withCache(KvCache cache, int... slots) { return new ForwardOptions(mode, cache, slots); }

    /** The same forward in another mode. */
    public ForwardOptions withMode(ForwardMode m) { return new ForwardOptions(m, cache, cacheSlots); }
}

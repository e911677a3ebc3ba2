package ai.pulsemind.nn;

/**
 * How one forward call treats what training adds to a model: whether LoRA adapters are applied, whether their
 * dropout is active (and under which key), and whether decoder layers recompute their activations in the backward
 * pass instead of keeping them (gradient checkpointing). Chosen per call, so one set of weights serves as the
 * trained policy ({@link #INFERENCE}, or {@link #training}) and as its frozen reference ({@link #BASE}: adapters off,
 * CRPO's KL reference) at the same time, on any thread.
 *
 * @param adapters   apply LoRA adapters where attached
 * @param dropout    apply each adapter's dropout (training only)
 * @param dropoutKey the dropout masks are a pure function of (key, adapter site, element), so a recomputed layer
 *                   draws the same masks, and a resumed run the same as an uninterrupted one
 * @param recompute  recompute each decoder layer in the backward pass (only when the tape is recording)
 */
public record ForwardMode(boolean adapters, boolean dropout, long dropoutKey, boolean recompute) {
    /** Adapters applied, no dropout, activations kept: evaluation and generation. */
    public static final ForwardMode INFERENCE = new ForwardMode(true, false, 0, false);
    /** The base model: adapters ignored. */
    public static final ForwardMode BASE = new ForwardMode(false, false, 0, false);

    /** A training forward: adapters and their dropout on, masks keyed by {@code dropoutKey}. */
    public static ForwardMode training(long dropoutKey, boolean recompute) {
        return new ForwardMode(true, true, dropoutKey, recompute);
    }

    /** The same call without adapters (and so without their dropout). */
    public ForwardMode withoutAdapters() { return new ForwardMode(false, false, 0, recompute); }

    /** The same call with or without layer recomputation. */
    public ForwardMode withRecompute(boolean on) { return new ForwardMode(adapters, dropout, dropoutKey, on); }
}

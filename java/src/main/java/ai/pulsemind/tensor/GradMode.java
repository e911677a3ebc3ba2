package ai.pulsemind.tensor;

/**
 * Whether differentiable ops record the tape on this thread. Per thread, like PyTorch's grad mode, so a
 * service can run inference on one thread while another trains.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** {@code try (var g = GradMode.disabled()) { ... }}: no tape inside; restores the previous mode. */
    public static Scope disabled() { return set(false); }

    public static Scope enabled() { return set(true); }

    private static Scope set(boolean on) {
        boolean[] cell = ENABLED.get();
        boolean prev = cell[0];
        cell[0] = on;
        return () -> cell[0] = prev;
    }

    /** Restores the previous grad mode on close. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}

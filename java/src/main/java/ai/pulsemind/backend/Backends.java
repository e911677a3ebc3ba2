package ai.pulsemind.backend;

import ai.pulsemind.backend.cpu.CpuBackendProvider;
import ai.pulsemind.backend.cpu.ReferenceBackendProvider;
import ai.pulsemind.tensor.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Backend discovery. {@code auto} picks CUDA when a provider says it is available and says so; naming a backend
 * that cannot run fails with the provider's reason — there is no silent fallback from GPU to CPU.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {}

    /** Built-in CPU providers first, then any found on the class path (the CUDA backend registers itself). */
    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>(List.of(new CpuBackendProvider(), new ReferenceBackendProvider()));
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (all.stream().noneMatch(q -> q.name().equals(p.name()))) all.add(p);
        }
        return all;
    }

    public static BackendProvider provider(String name) {
        for (BackendProvider p : providers()) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("unknown backend '" + name + "'; known: "
                + providers().stream().map(BackendProvider::name).toList());
    }

    /**
     * Opens a backend by spec: {@code auto}, {@code cpu}, {@code cpu-reference}, {@code cuda} or {@code cuda:N}.
     *
     * @param threads CPU threads (0: all cores)
     */
    public static Backend open(String spec, int threads) {
        ai.pulsemind.config.InvalidSetting.require(threads >= 0, "threads", "must be >= 0 (0: all cores), got " + threads);
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("auto")) {
            for (BackendProvider p : providers()) {
                if (!p.name().equals("cuda")) continue;
                BackendProvider.Availability a = p.probe();
                if (a.available()) {
                    LOG.info("device auto: using cuda (" + a.detail() + ")");
                    return p.open(Device.cuda(0), threads);
                }
                LOG.info("device auto: using cpu; cuda unavailable: " + a.detail());
            }
            return new CpuBackendProvider().open(Device.CPU, threads);
        }
        String name = s.startsWith("cuda") ? "cuda" : s;
        Device device = s.startsWith("cuda") ? Device.parse(s) : Device.CPU;
        BackendProvider p;
        try {
            p = provider(name);
        } catch (IllegalArgumentException e) {
            if (name.equals("cuda"))
                throw new IllegalStateException("--device cuda: the CUDA backend is not in this build (no provider on the class path)");
            throw e;
        }
        BackendProvider.Availability a = p.probe();
        if (!a.available()) throw new IllegalStateException("--device " + spec + ": " + name + " backend unavailable: " + a.detail());
        return p.open(device, threads);
    }

    /** All cores unless told otherwise. */
    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }
}

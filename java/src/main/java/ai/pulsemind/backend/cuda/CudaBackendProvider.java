package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.BackendProvider;
import ai.pulsemind.tensor.Device;

/**
 * The CUDA backend's entry in backend discovery (registered in META-INF/services). {@link #probe()} never throws
 * and never crashes a machine without CUDA: it reports which of the kernels, {@code libcuda.so.1}, a device and
 * cuBLASLt is missing.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override public String name() { return "cuda"; }

    @Override
    public Availability probe() {
        try {
            return CudaRuntime.probe(NativeLibrary.SYSTEM, KernelIndex.load()).availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("probing CUDA failed: " + e);
        }
    }

    @Override
    public Backend open(Device device, int threads) {
        if (device.kind() != Device.Kind.CUDA) throw new IllegalArgumentException("the cuda backend cannot run on " + device);
        return new CudaBackend(CudaRuntime.get(), device.index());
    }
}

package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.BackendProvider.Availability;

import java.util.List;

/**
 * The process-wide CUDA libraries: the driver API, cuBLASLt and the kernel index, loaded once. {@link #probe}
 * explains exactly what is present or missing (for {@code doctor} and {@code --device}) and never throws.
 *
 * @param blas       null when no cuBLASLt soname loads; {@code blasDetail} says which were tried
 * @param blasDetail the soname found, or every soname tried
 */
record CudaRuntime(CudaDriver driver, CublasLt blas, String blasDetail, KernelIndex kernels) {
    private static CudaRuntime loaded;

    /** The runtime, loading it on first use; throws {@link CudaException} with the probe's reason when CUDA is unusable. */
    static synchronized CudaRuntime get() {
        if (loaded != null) return loaded;
        Probe p = probe(NativeLibrary.SYSTEM, KernelIndex.load());
        if (!p.availability().available()) throw new CudaException(p.availability().detail());
        loaded = p.runtime();
        return loaded;
    }

    /** What the probe found: availability with its reason, and the loaded runtime when available. */
    record Probe(Availability availability, CudaRuntime runtime) {}

    /**
     * Checks, in order: the kernels in this build, {@code libcuda.so.1}, {@code cuInit}, a device, cuBLASLt
     * ({@code .13}, then {@code .12}). The detail names what was found and the first thing missing.
     */
    static Probe probe(NativeLibrary.Loader loader, KernelIndex kernels) {
        NativeLibrary.Resolution blasLib = NativeLibrary.resolve(CublasLt.SONAMES, loader);
        String blasText = blasLib.found() ? "cuBLASLt " + blasLib.detail() : "cuBLASLt not found (" + blasLib.detail() + ")";
        if (kernels == null)
            return no("the CUDA kernels are not in this build (it was built without nvcc); " + blasText);
        NativeLibrary.Resolution drv = NativeLibrary.resolve(List.of(CudaDriver.SONAME), loader);
        if (!drv.found())
            return no(CudaDriver.SONAME + " not found: no NVIDIA driver on this machine; " + blasText);
        CudaDriver driver;
        try {
            driver = new CudaDriver(drv.library());
        } catch (CudaException e) {
            return no(e.getMessage());
        }
        int rc = driver.initStatus();
        if (rc != CudaDriver.CUDA_SUCCESS)
            return no("cuInit failed: " + driver.errorName(rc) + " (" + rc + "): " + driver.errorString(rc)
                    + (rc == 100 ? " (no CUDA device)" : "") + "; " + blasText);
        int count = driver.deviceCount();
        String drvText = "driver CUDA " + driver.driverVersion() / 1000 + "." + (driver.driverVersion() % 1000) / 10;
        if (count == 0) return no("no CUDA device (" + drvText + "); " + blasText);
        if (!blasLib.found()) return no(count + " CUDA device(s) and " + drvText + ", but " + blasText);
        CublasLt blas;
        try {
            blas = new CublasLt(blasLib.library());
        } catch (CudaException e) {
            return no(e.getMessage());
        }
        int dev = driver.device(0);
        String detail = count + " device(s), cuda:0 " + driver.deviceName(dev) + " sm_"
                + driver.attribute(dev, CudaDriver.ATTR_CC_MAJOR) + driver.attribute(dev, CudaDriver.ATTR_CC_MINOR) + "; "
                + drvText + " (" + CudaDriver.SONAME + "); cuBLASLt " + blas.version() + " (" + blasLib.detail() + "); "
                + kernels;
        return new Probe(Availability.yes(detail), new CudaRuntime(driver, blas, blasLib.detail(), kernels));
    }

    private static Probe no(String why) { return new Probe(Availability.no(why), null); }
}

package ai.pulsemind.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The primary context of one device, retained for the life of a backend and made current on whichever Java
 * thread calls into it (driver contexts are per-thread state; the check is one thread-local read).
 */
final class CudaContext implements AutoCloseable {
    private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

    private final CudaDriver driver;
    private final int device;
    private final MemorySegment ctx;
    private final DeviceInfo info;
    private boolean closed;

    /** What the backend needs to know about its device, read once. */
    record DeviceInfo(int ordinal, String name, int ccMajor, int ccMinor, int multiprocessors, long totalMemory,
                      int l2Bytes, int maxSharedPerBlockOptin, int driverVersion) {
        String computeCapability() { return ccMajor + "." + ccMinor; }

        /** "13.0" from 13000. */
        String driverCuda() { return driverVersion / 1000 + "." + (driverVersion % 1000) / 10; }
    }

    CudaContext(CudaDriver driver, int ordinal) {
        this.driver = driver;
        int count = driver.deviceCount();
        if (ordinal >= count)
            throw new CudaException("cuda:" + ordinal + " does not exist: this machine has " + count + " CUDA device(s)");
        this.device = driver.device(ordinal);
        this.ctx = driver.primaryContextRetain(device);
        makeCurrent();
        this.info = new DeviceInfo(ordinal, driver.deviceName(device),
                driver.attribute(device, CudaDriver.ATTR_CC_MAJOR), driver.attribute(device, CudaDriver.ATTR_CC_MINOR),
                driver.attribute(device, CudaDriver.ATTR_MULTIPROCESSOR_COUNT), driver.totalMemory(device),
                driver.attribute(device, CudaDriver.ATTR_L2_CACHE_SIZE),
                driver.attribute(device, CudaDriver.ATTR_MAX_SHARED_PER_BLOCK_OPTIN), driver.driverVersion());
    }

    DeviceInfo info() { return info; }

    /** Binds this context to the calling thread if another (or none) is bound. */
    void makeCurrent() {
        if (closed) throw new IllegalStateException("CUDA context of device " + device + " used after close");
        if (CURRENT.get() != ctx) {
            driver.setCurrent(ctx);
            CURRENT.set(ctx);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (CURRENT.get() == ctx) CURRENT.remove();
        driver.primaryContextRelease(device);
    }
}

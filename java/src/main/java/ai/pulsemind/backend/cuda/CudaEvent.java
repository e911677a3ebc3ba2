package ai.pulsemind.backend.cuda;

import java.lang.foreign.MemorySegment;

/** A CUDA event with timing, for device-side timing of the benchmarks. */
final class CudaEvent implements AutoCloseable {
    private final CudaDriver driver;
    private final MemorySegment handle;
    private boolean closed;

    CudaEvent(CudaDriver driver) {
        this.driver = driver;
        this.handle = driver.eventCreate(0); // CU_EVENT_DEFAULT: timing enabled
    }

    void record(CudaStream stream) { driver.eventRecord(handle, stream.segment()); }

    void synchronize() { driver.eventSynchronize(handle); }

    /** Milliseconds from {@code this} to {@code end}; both recorded and complete. */
    float elapsedMs(CudaEvent end) { return driver.eventElapsedMs(handle, end.handle); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        driver.eventDestroy(handle);
    }
}

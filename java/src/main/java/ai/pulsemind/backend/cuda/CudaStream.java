package ai.pulsemind.backend.cuda;

import java.lang.foreign.MemorySegment;

/** A CUDA stream (non-blocking with respect to the legacy default stream). */
public final class CudaStream implements AutoCloseable {
    private final CudaDriver driver;
    private final MemorySegment handle;
    private final boolean owned;
    private boolean closed;

    CudaStream(CudaDriver driver) {
        this(driver, driver.streamCreate(CudaDriver.STREAM_NON_BLOCKING), true);
    }

    private CudaStream(CudaDriver driver, MemorySegment handle, boolean owned) {
        this.driver = driver;
        this.handle = handle;
        this.owned = owned;
    }

    /** Wraps a stream created elsewhere (e.g. by JCuda); closing it does not destroy it. */
    static CudaStream wrap(CudaDriver driver, long handle) {
        return new CudaStream(driver, MemorySegment.ofAddress(handle), false);
    }

    MemorySegment segment() {
        if (closed) throw new IllegalStateException("CUDA stream used after close");
        return handle;
    }

    /** The raw {@code CUstream} value, for interop with other CUDA libraries. */
    public long handle() { return segment().address(); }

    public void synchronize() { driver.streamSynchronize(segment()); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (owned) driver.streamDestroy(handle);
    }
}

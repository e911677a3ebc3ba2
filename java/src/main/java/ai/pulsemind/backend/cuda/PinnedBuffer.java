package ai.pulsemind.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked host memory ({@code cuMemHostAlloc}): copies from and to it run at full PCIe/NVLink speed and can
 * overlap compute, unlike pageable memory, which the driver stages through a bounce buffer.
 */
public final class PinnedBuffer implements AutoCloseable {
    private final CudaDriver driver;
    private final MemorySegment segment;
    private boolean closed;

    PinnedBuffer(CudaDriver driver, long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("pinned buffer of " + bytes + " bytes");
        this.driver = driver;
        this.segment = driver.memHostAlloc(bytes, CudaDriver.MEMHOSTALLOC_PORTABLE);
    }

    public MemorySegment segment() {
        if (closed) throw new IllegalStateException("pinned buffer used after close");
        return segment;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        driver.memFreeHost(segment);
    }
}

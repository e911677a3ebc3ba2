package ai.pulsemind.tensor;

import java.lang.foreign.MemorySegment;

/** Host memory handed out by {@link HostAllocator}, or a read-only mapping of a file (no allocator). */
public final class HostStorage implements Storage {
    private final MemorySegment segment;
    private final HostAllocator allocator; // null for external memory (e.g. a memory-mapped checkpoint)
    private volatile boolean alive = true;

    HostStorage(MemorySegment segment, HostAllocator allocator) {
        this.segment = segment;
        this.allocator = allocator;
    }

    /** Wraps memory owned elsewhere (a mapped file, a caller's arena); release only marks it dead. */
    public static HostStorage external(MemorySegment segment) { return new HostStorage(segment, null); }

    public MemorySegment segment() {
        if (!alive) throw new IllegalStateException("tensor storage used after close");
        return segment;
    }

    @Override public Device device() { return Device.CPU; }

    @Override public long byteSize() { return segment.byteSize(); }

    @Override public boolean isAlive() { return alive; }

    @Override
    public void release() {
        if (!alive) return;
        alive = false;
        if (allocator != null) allocator.free(segment);
    }
}

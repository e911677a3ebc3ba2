package ai.pulsemind.tensor;

/**
 * A block of memory that tensors view. Host storage exposes a {@link java.lang.foreign.MemorySegment};
 * device storage is an address on its device. Storage is released once, by the tensor that allocated it.
 */
public interface Storage {
    Device device();

    long byteSize();

    /** False once released; every op checks this so use-after-close is an error, not a crash. */
    boolean isAlive();

    /** Returns the memory to its allocator. Idempotent. */
    void release();
}

package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Storage;

/**
 * Device memory behind a tensor: an address on one CUDA device. Owned blocks return to their
 * {@link DeviceAllocator} on release; wrapped memory (e.g. a JCuda buffer) is only marked dead.
 */
public final class CudaStorage implements Storage {
    private final Device device;
    private final long address;
    private final long byteSize;
    private final DeviceAllocator allocator; // null for memory owned elsewhere
    private volatile boolean alive = true;

    CudaStorage(Device device, long address, long byteSize, DeviceAllocator allocator) {
        this.device = device;
        this.address = address;
        this.byteSize = byteSize;
        this.allocator = allocator;
    }

    /** The device address of the first byte. */
    public long address() {
        if (!alive) throw new IllegalStateException("device tensor storage used after close");
        return address;
    }

    /** Whether this storage wraps memory another library owns (it is never freed here). */
    public boolean external() { return allocator == null; }

    @Override public Device device() { return device; }

    @Override public long byteSize() { return byteSize; }

    @Override public boolean isAlive() { return alive; }

    @Override
    public void release() {
        if (!alive) return;
        alive = false;
        if (allocator != null) allocator.free(address);
    }
}

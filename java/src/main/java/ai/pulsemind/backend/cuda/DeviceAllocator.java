package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.MemoryStats;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A caching allocator for device memory: blocks are obtained once from the driver, rounded up to a size class,
 * and reused after their tensor is closed, so a training step in steady state makes no driver allocation
 * ({@code cuMemAlloc} synchronises the device and costs far more than a kernel).
 *
 * <p>Reuse is safe without events because the backend issues all work on one stream: a block freed on the host
 * and handed to a later op is touched by that op only after every earlier op on the stream. When the driver is
 * out of memory, the cache is released and the allocation retried once before failing with the statistics.
 *
 * <p>Statistics: {@code inUse} (bytes handed out, by size class), {@code reserved} (held from the driver: in use
 * plus cached), {@code peak} (largest {@code inUse} since the last {@link #resetPeak()}). Thread-safe.
 */
public final class DeviceAllocator implements AutoCloseable {
    /** Where blocks come from: the driver, or a fake in tests. */
    public interface Source {
        /** A new block of exactly {@code bytes}, or 0 when the device is out of memory. */
        long allocate(long bytes);

        void free(long address);
    }

    static final long MIN_BLOCK = 512;
    private static final long SMALL = 1L << 20;

    private final Source source;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>(); // size class -> cached block addresses
    private final Map<Long, Long> blocks = new HashMap<>();           // address -> size class, every live block
    private final Set<Long> cached = new HashSet<>();                 // addresses now in a free list
    private long inUse, reserved, peak, driverAllocations;
    private boolean closed;

    public DeviceAllocator(Source source) { this.source = source; }

    /**
     * Size classes: multiples of 512 B up to 1 MiB, then 8 classes per power of two (at most 12.5% waste),
     * so blocks of nearby sizes are shared between steps whose shapes vary a little.
     */
    static long sizeClass(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
        if (bytes <= SMALL) return Math.max(MIN_BLOCK, (bytes + MIN_BLOCK - 1) / MIN_BLOCK * MIN_BLOCK);
        int log = 63 - Long.numberOfLeadingZeros(bytes - 1);
        long step = 1L << (log - 3);
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least {@code bytes}; its address is 256-byte aligned when the source's are. */
    public synchronized long allocate(long bytes) {
        if (closed) throw new IllegalStateException("device allocator used after the backend was closed");
        long cls = sizeClass(bytes);
        ArrayDeque<Long> q = free.get(cls);
        Long hit = q == null ? null : q.pollFirst();
        long addr;
        if (hit != null) {
            addr = hit;
            cached.remove(addr);
        } else {
            addr = source.allocate(cls);
            if (addr == 0) {
                trim();
                addr = source.allocate(cls);
            }
            if (addr == 0)
                throw new CudaException("out of device memory allocating " + MemoryStats.human(cls) + " (" + stats()
                        + "; the cache was released and the allocation retried)");
            driverAllocations++;
            blocks.put(addr, cls);
            reserved += cls;
        }
        inUse += cls;
        peak = Math.max(peak, inUse);
        return addr;
    }

    public synchronized void free(long address) {
        if (closed) return; // the context is gone with its memory; nothing to return
        Long cls = blocks.get(address);
        if (cls == null) throw new IllegalStateException("freeing device memory this allocator did not hand out: 0x"
                + Long.toHexString(address));
        if (!cached.add(address)) throw new IllegalStateException("device block 0x" + Long.toHexString(address) + " freed twice");
        free.computeIfAbsent(cls, k -> new ArrayDeque<>()).addFirst(address); // most recent first: likely still in L2
        inUse -= cls;
    }

    /** Returns every cached block to the driver. */
    public synchronized void trim() {
        for (var e : free.entrySet()) {
            for (long addr : e.getValue()) {
                source.free(addr);
                blocks.remove(addr);
                reserved -= e.getKey();
            }
        }
        free.clear();
        cached.clear();
    }

    public synchronized MemoryStats stats() { return new MemoryStats(inUse, reserved, peak); }

    public synchronized void resetPeak() { peak = inUse; }

    /** How many blocks were obtained from the source: constant in steady state. */
    public synchronized long driverAllocations() { return driverAllocations; }

    /** Frees the cache; blocks still in use are reported by the caller and reclaimed with the context. */
    @Override
    public synchronized void close() {
        if (closed) return;
        trim();
        closed = true;
    }
}

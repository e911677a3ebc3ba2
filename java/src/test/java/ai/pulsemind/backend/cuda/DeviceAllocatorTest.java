package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.MemoryStats;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator's bookkeeping against a fake device memory (no GPU). */
class DeviceAllocatorTest {
    /** Hands out 256-aligned fake addresses up to a capacity; counts driver calls. */
    static final class FakeDevice implements DeviceAllocator.Source {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long next = 0x7f0000000000L, used;
        int allocations, frees;

        FakeDevice(long capacity) { this.capacity = capacity; }

        @Override public long allocate(long bytes) {
            if (used + bytes > capacity) return 0;
            allocations++;
            long a = next;
            next += (bytes + 255) / 256 * 256;
            live.put(a, bytes);
            used += bytes;
            return a;
        }

        @Override public void free(long address) {
            frees++;
            used -= live.remove(address);
        }
    }

    @Test
    void sizeClasses() {
        assertEquals(512, DeviceAllocator.sizeClass(0));
        assertEquals(512, DeviceAllocator.sizeClass(1));
        assertEquals(1024, DeviceAllocator.sizeClass(513));
        assertEquals(1L << 20, DeviceAllocator.sizeClass(1L << 20));
        // above 1 MiB: 8 classes per power of two, at most 12.5% waste
        assertEquals((1L << 20) + (1L << 17), DeviceAllocator.sizeClass((1L << 20) + 1));
        for (long b = 1; b < 1L << 34; b = b * 3 + 17) {
            long c = DeviceAllocator.sizeClass(b);
            assertTrue(c >= b && c <= Math.max(512, b + b / 8 + 512), b + " -> " + c);
            assertEquals(c, DeviceAllocator.sizeClass(c), "a class is its own class");
        }
    }

    @Test
    void reusesFreedBlocksWithoutNewDriverAllocations() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DeviceAllocator a = new DeviceAllocator(dev);
        for (int step = 0; step < 10; step++) { // a "training step" allocating and freeing the same shapes
            long x = a.allocate(4000), y = a.allocate(3_000_000), z = a.allocate(4000);
            assertNotEquals(x, z);
            a.free(x);
            a.free(y);
            a.free(z);
        }
        assertEquals(3, dev.allocations, "steady state makes no driver allocation");
        assertEquals(3, a.driverAllocations());
        assertEquals(new MemoryStats(0, 2 * 4096 + DeviceAllocator.sizeClass(3_000_000), 2 * 4096 + DeviceAllocator.sizeClass(3_000_000)),
                a.stats());
    }

    @Test
    void tracksInUseReservedAndPeak() {
        DeviceAllocator a = new DeviceAllocator(new FakeDevice(1L << 30));
        long x = a.allocate(1000), y = a.allocate(2000);
        assertEquals(new MemoryStats(1024 + 2048, 1024 + 2048, 1024 + 2048), a.stats());
        a.free(x);
        assertEquals(new MemoryStats(2048, 3072, 3072), a.stats());
        a.resetPeak();
        assertEquals(2048, a.stats().peak());
        long z = a.allocate(700); // reuses x's 1024 block
        assertEquals(x, z);
        assertEquals(new MemoryStats(3072, 3072, 3072), a.stats());
        a.free(y);
        a.free(z);
        a.trim();
        assertEquals(new MemoryStats(0, 0, 3072), a.stats());
    }

    @Test
    void outOfMemoryReleasesTheCacheAndRetries() {
        FakeDevice dev = new FakeDevice(10_000);
        DeviceAllocator a = new DeviceAllocator(dev);
        a.free(a.allocate(4096));
        a.free(a.allocate(4000 + 512)); // another class, cached too: 4096 + 4608 held
        long big = a.allocate(6000);  // fits only after the cache is released
        assertEquals(2, dev.frees);
        assertEquals(6144, a.stats().reserved());
        CudaException e = assertThrows(CudaException.class, () -> a.allocate(8000));
        assertTrue(e.getMessage().startsWith("out of device memory allocating 8.0 KiB (in use 6.0 KiB"), e.getMessage());
        a.free(big);
    }

    @Test
    void rejectsForeignAndDoubleFrees() {
        DeviceAllocator a = new DeviceAllocator(new FakeDevice(1 << 20));
        long x = a.allocate(100);
        a.free(x);
        assertThrows(IllegalStateException.class, () -> a.free(x));
        assertThrows(IllegalStateException.class, () -> a.free(12345));
    }

    @Test
    void closeReturnsTheCacheAndLaterFreesAreIgnored() {
        FakeDevice dev = new FakeDevice(1 << 20);
        DeviceAllocator a = new DeviceAllocator(dev);
        long live = a.allocate(100);
        a.free(a.allocate(5000));
        a.close();
        assertEquals(1, dev.frees, "cached block returned, the live one is left to the context");
        a.free(live); // a tensor closed after its backend: no crash, nothing to do
        assertThrows(IllegalStateException.class, () -> a.allocate(1));
    }
}

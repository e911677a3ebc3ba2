package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime around the kernels: discovery, allocator, streams and events, pinned memory, interop, part-2 ops. */
@RequiresCuda
class CudaRuntimeGpuIT {
    static CudaBackend be;

    @BeforeAll static void open() { be = CudaTarget.open(); }

    private static float[] down(CudaBackend be, Tensor t) {
        try (Tensor h = Tensor.hostEmpty(t.dtype(), t.shape())) {
            be.copy(t, h);
            return h.toFloatArray();
        }
    }

    @AfterAll static void close() { be.close(); }

    @Test
    void autoPicksCudaAndNamesTheDevice() {
        try (Backend b = Backends.open("auto", 1)) {
            assertEquals("cuda", b.name());
        }
        assertTrue(be.describe().startsWith("cuda:0 "), be.describe());
        long[] mem = be.deviceMemory();
        assertTrue(mem[0] > 0 && mem[1] >= mem[0], "free/total " + mem[0] + "/" + mem[1]);
    }

    @Test
    void steadyStateMakesNoDriverAllocationsAndStatsAddUp() {
        be.synchronize();
        MemoryStats before = be.memoryStats();
        for (int i = 0; i < 3; i++) { // warm the cache with this "step"'s shapes
            try (Tensor a = be.empty(DType.BF16, Shape.of(1024, 1024)); Tensor b = be.empty(DType.F32, Shape.of(333))) {
                be.fill(a, 1f);
                be.fill(b, 2f);
            }
        }
        long driverAllocs = be.allocator().driverAllocations();
        for (int i = 0; i < 20; i++) {
            try (Tensor a = be.empty(DType.BF16, Shape.of(1024, 1024)); Tensor b = be.empty(DType.F32, Shape.of(333))) {
                be.fill(a, 1f);
                be.fill(b, 2f);
                MemoryStats during = be.memoryStats();
                assertTrue(during.inUse() >= before.inUse() + 2L * 1024 * 1024 + 333 * 4, during.toString());
                assertTrue(during.reserved() >= during.inUse() && during.peak() >= during.inUse(), during.toString());
            }
        }
        assertEquals(driverAllocs, be.allocator().driverAllocations(), "no cuMemAlloc in steady state");
        assertEquals(before.inUse(), be.memoryStats().inUse(), "everything returned");
    }

    @Test
    void eventsTimeDeviceWorkAndPinnedBuffersRoundTrip() {
        int n = 1 << 24;
        try (CudaEvent start = new CudaEvent(be.driver()); CudaEvent end = new CudaEvent(be.driver());
             Tensor x = be.empty(DType.F32, Shape.of(n)); PinnedBuffer pin = be.pinned(4L * n)) {
            start.record(be.stream());
            be.fill(x, 3f);
            be.scale(x, 2f, x);
            end.record(be.stream());
            end.synchronize();
            assertTrue(start.elapsedMs(end) > 0, "elapsed " + start.elapsedMs(end));
            be.driver().memcpyDtoH(pin.segment(), CudaBackend.address(x), 4L * n);
            assertEquals(6f, pin.segment().getAtIndex(ValueLayout.JAVA_FLOAT, n - 1));
            assertEquals(6f, pin.segment().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
    }

    @Test
    void jcudaPointersAndStreamsShareMemoryWithoutCopies() {
        try (Tensor x = be.upload(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))) {
            CUdeviceptr p = JCudaInterop.unwrap(x);
            assertEquals(CudaBackend.address(x), JCudaInterop.address(p));
            try (Tensor view = JCudaInterop.wrap(be, p.withByteOffset(4 * 3), 12, DType.F32, Shape.of(3))) {
                assertArrayEquals(new float[] {4, 5, 6}, down(be, view));
                be.scale(view, 10f, view); // writes through to x: same memory
            }
            assertArrayEquals(new float[] {1, 2, 3, 40, 50, 60}, down(be, x));
        }
        CudaStream theirs = JCudaInterop.wrap(be, JCudaInterop.unwrap(be.stream()));
        assertEquals(be.stream().handle(), theirs.handle());
        be.useStream(theirs);
        try (Tensor y = be.upload(Tensor.of(new float[] {1, 2}, 2))) {
            be.scale(y, 3f, y);
            assertArrayEquals(new float[] {3, 6}, down(be, y));
        } finally {
            be.useStream(null);
        }
    }

    @Test
    void attentionAndLogprobRefuseWhatTheirKernelsCannotTake() {
        try (Tensor q32 = be.empty(DType.F32, Shape.of(4, 2, 64)); Tensor q = be.empty(DType.BF16, Shape.of(4, 2, 64));
             Tensor q72 = be.empty(DType.BF16, Shape.of(4, 2, 72 + 2)); Tensor lse = be.empty(DType.F32, Shape.of(2, 4))) {
            AttentionSpec spec = AttentionSpec.selfAttention(new int[] {4}, true, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.attention(q32, q32, q32, spec, q32, lse));
            assertTrue(e.getMessage().startsWith("attention: the CUDA attention kernels take BF16"), e.getMessage());
            UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                    () -> be.attention(q72, q72, q72, spec, q72, lse));
            assertTrue(u.getMessage().contains("head dim 74"), u.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.logprob(q32.reshape(8, 64), q32.reshape(8, 64),
                    be.empty(DType.I32, Shape.of(8)), 1f, be.empty(DType.F32, Shape.of(8)), be.empty(DType.F32, Shape.of(8))));
            assertTrue(e.getMessage().startsWith("logprob: the CUDA log-prob takes BF16"), e.getMessage());
        }
    }

    @Test
    void wrongDtypesFailNamingTheOp() {
        try (Tensor i = be.empty(DType.I32, Shape.of(8)); Tensor f = be.empty(DType.F32, Shape.of(8))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.silu(i, i));
            assertTrue(e.getMessage().startsWith("silu: the CUDA backend computes on F32 or BF16"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.add(f, be.empty(DType.BF16, Shape.of(8)), f));
            assertTrue(e.getMessage().startsWith("add: mixed dtypes"), e.getMessage());
            Tensor host = Tensor.of(new float[8], 8);
            e = assertThrows(IllegalArgumentException.class, () -> be.scale(host, 1f, f));
            assertTrue(e.getMessage().contains("is on cpu but this backend runs on cuda:0"), e.getMessage());
        }
    }
}

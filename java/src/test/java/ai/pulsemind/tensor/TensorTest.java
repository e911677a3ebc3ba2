package ai.pulsemind.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {
    @Test
    void viewsShareStorageWithStrides() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor tr = t.transpose(0, 1);
        assertEquals(Shape.of(3, 2), tr.shape());
        assertFalse(tr.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tr.toFloatArray());
        Tensor col = t.narrow(1, 1, 2);
        assertArrayEquals(new float[] {1, 2, 4, 5}, col.toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.reshape(3, -1).toFloatArray());
        col.setFloat(0, 9);
        assertEquals(9, t.getFloat(1));
    }

    @Test
    void errorsAreSpecific() {
        Tensor t = Tensor.of(new float[6], 2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.transpose(0, 1).reshape(6));
        assertThrows(IllegalArgumentException.class, () -> t.narrow(1, 2, 2));
        Tensor view = t.reshape(6);
        t.close();
        assertTrue(view.isClosed());
        var c = assertThrows(IllegalStateException.class, view::toFloatArray);
        assertTrue(c.getMessage().contains("after close"), c.getMessage());
        view.close(); // views never free
    }

    @Test
    void differentiableReshapeAndNoGradViews() {
        Tensor p = Tensor.of(new float[4], 2, 2).requiresGrad(true);
        assertTrue(p.reshape(4).requiresGrad());
        assertThrows(IllegalStateException.class, () -> p.transpose(0, 1));
        try (var g = GradMode.disabled()) {
            assertFalse(p.reshape(4).requiresGrad());
            p.transpose(0, 1);
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals((short) 0x3f80, Half.floatToBf16(1f));
        assertEquals((short) 0x3f80, Half.floatToBf16(Float.intBitsToFloat(0x3f808000))); // tie → even
        assertEquals((short) 0x3f82, Half.floatToBf16(Float.intBitsToFloat(0x3f818000))); // tie → even (up)
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.NaN))));
        assertEquals(Float.POSITIVE_INFINITY, Half.bf16ToFloat(Half.floatToBf16(Float.MAX_VALUE)));
    }

    @Test
    void allocatorReusesBlocksAndCountsBytes() {
        HostAllocator a = new HostAllocator();
        var s1 = a.allocate(1000);
        long addr = s1.address();
        assertEquals(1024, a.stats().inUse());
        a.free(s1);
        assertEquals(0, a.stats().inUse());
        var s2 = a.allocate(990); // same size class
        assertEquals(addr, s2.address());
        assertEquals(1024, a.stats().reserved());
        a.free(s2);
        a.trim();
        assertEquals(0, a.stats().reserved());
        assertEquals(1024, a.stats().peak());
        assertEquals(4608, HostAllocator.sizeClass(4097)); // 8 steps per power of two above 4 KiB: 512 B here
    }

    @Test
    void largeBlocksAreHugePageAlignedAndUsable() {
        HostAllocator a = new HostAllocator();
        for (long bytes : new long[] {5L << 20, 33L << 20}) { // 2 MiB-aligned, advised inside
            var s = a.allocate(bytes);
            assertEquals(0, s.address() % (2 << 20));
            s.fill((byte) 7);
            assertEquals((byte) 7, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes - 1));
            a.free(s);
        }
        a.trim();
        assertEquals(0, a.stats().reserved());
    }
}

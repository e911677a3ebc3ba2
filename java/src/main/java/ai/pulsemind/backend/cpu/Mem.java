package ai.pulsemind.backend.cpu;

import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element access to host segments by index. Unaligned layouts: mapped checkpoints need not be 4-byte aligned. */
final class Mem {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;

    private Mem() {}

    static float f(MemorySegment s, long i) { return s.getAtIndex(F, i); }

    static void f(MemorySegment s, long i, float v) { s.setAtIndex(F, i, v); }

    static int i(MemorySegment s, long i) { return s.getAtIndex(I, i); }

    /** The contiguous host bytes of {@code t}, or null for an absent optional tensor. */
    static MemorySegment seg(Tensor t) { return t == null ? null : t.segment(); }
}

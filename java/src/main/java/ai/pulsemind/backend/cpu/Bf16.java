package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;

/**
 * BF16 values read as F32: a BF16 value is the top half of its F32 bits, so widening is exact (sign-extend 16 to
 * 32 bits, shift left 16, reinterpret). Offsets count elements, as for F32 segments.
 */
final class Bf16 {
    private Bf16() {}

    /** VL shorts (half of S's bits) and VL ints (S's shape). */
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** VL values from element {@code i}. */
    static FloatVector load(MemorySegment s, long i) {
        return widen(ShortVector.fromMemorySegment(SH, s, i * 2, NATIVE));
    }

    /** Lanes {@code from} to {@code to} − 1 of a row at positions from..: the values from element {@code i}; the rest 0. */
    static FloatVector load(MemorySegment s, long i, int from, int to) {
        return widen(ShortVector.fromMemorySegment(SH, s, i * 2, NATIVE, SH.indexInRange(from, to)));
    }

    private static FloatVector widen(ShortVector v) {
        return ((IntVector) v.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** dst[at..at+len) = the F32 values of elements off..off+len of {@code s}. */
    static void widen(MemorySegment s, long off, float[] dst, int at, int len) {
        int i = 0;
        for (; i + VL <= len; i += VL) load(s, off + i).intoArray(dst, at + i);
        for (; i < len; i++) dst[at + i] = Float.intBitsToFloat(s.getAtIndex(H, off + i) << 16);
    }
}

package ai.pulsemind.nn;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout with counter-based masks: element i of site s under key k is kept when
 * {@code u(k, s, i) ≥ p}, with u a SplitMix64 hash mapped to [0, 1), and scaled by 1/(1−p). A mask is a pure function
 * of (key, site, index), so recomputing a layer (gradient checkpointing) or resuming a run draws the same masks,
 * with no generator state to save. The mask is built on the host and multiplied in with {@link Ops#mul}, whose
 * backward gives the masked gradient.
 */
public final class Dropout {
    private Dropout() {}

    /** drop(x) for x (…, C). */
    public static Tensor apply(Ops ops, Tensor x, float p, long key, int site) {
        Backend be = ops.backend();
        Tensor host = mask(x.shape(), p, key, site);
        Tensor m = host;
        if (!be.device().isHost()) m = be.upload(host);
        if (m.dtype() != x.dtype()) {
            Tensor c = be.empty(x.dtype(), x.shape());
            be.convert(m, c);
            m = c;
        }
        return ops.mul(x, m);
    }

    /** Elements per parallel piece of a mask. */
    private static final int CHUNK = 1 << 15;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as {@link #L}, for the mask's stores. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(L.length() * Float.SIZE));

    /**
     * The mask (shape) F32 on the host: 0 or 1/(1−p). The hash runs in 64-bit vector lanes, in pieces of
     * {@link #CHUNK} elements filled in parallel; each element is a pure function of its index, so the mask is the
     * same however the pieces are scheduled. {@code u ≥ p} is decided on the integer {@code h >>> 11}
     * (u = that · 2⁻⁵³ exactly) against {@code ⌈p · 2⁵³⌉}: the same test without a conversion per element.
     */
    public static Tensor mask(Shape shape, float p, long key, int site) {
        Tensor t = Tensor.hostEmpty(DType.F32, shape);
        MemorySegment s = t.segment();
        float keep = 1f / (1f - p);
        long base = mix(key ^ mix(site + GOLDEN));
        long threshold = (long) Math.ceil((double) p * 0x1p53);
        long n = t.numel();
        int pieces = (int) ((n + CHUNK - 1) / CHUNK);
        IntStream.range(0, pieces).parallel().forEach(c -> fill(s, (long) c * CHUNK, Math.min(n, (long) (c + 1) * CHUNK), base, threshold, keep));
        return t;
    }

    /** Elements [from, to) of a mask. */
    private static void fill(MemorySegment s, long from, long to, long base, long threshold, float keep) {
        int lanes = L.length();
        LongVector steps = LongVector.zero(L).addIndex(1).mul(GOLDEN); // lane j: j·γ
        FloatVector kept = FloatVector.broadcast(F, keep), dropped = FloatVector.zero(F);
        long i = from;
        for (long bound = from + (to - from) / lanes * lanes; i < bound; i += lanes) {
            LongVector z = steps.add(base + i * GOLDEN);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            VectorMask<Long> keepLane = z.lanewise(VectorOperators.LSHR, 11).compare(VectorOperators.GE, threshold);
            dropped.blend(kept, keepLane.cast(F)).intoMemorySegment(s, i * Float.BYTES, ByteOrder.nativeOrder());
        }
        for (; i < to; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (mix(base + i * GOLDEN) >>> 11) >= threshold ? keep : 0f);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

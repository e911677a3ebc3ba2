package ai.pulsemind.nn;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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

    /** The mask (shape) F32 on the host: 0 or 1/(1−p). */
    public static Tensor mask(Shape shape, float p, long key, int site) {
        Tensor t = Tensor.hostEmpty(DType.F32, shape);
        MemorySegment s = t.segment();
        float keep = 1f / (1f - p);
        long base = mix(key ^ mix(site + 0x9E3779B97F4A7C15L));
        for (long i = 0; i < t.numel(); i++) {
            double u = (mix(base + i * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, u >= p ? keep : 0f);
        }
        return t;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

import static ai.pulsemind.backend.cuda.LaunchContext.aligned;
import static ai.pulsemind.backend.cuda.LaunchContext.pack;
import static ai.pulsemind.backend.cuda.LaunchContext.ptr;

/**
 * Rotary embeddings of {@code rope.cu}: the cos/sin tables from positions (each spec's per-frequency axis and
 * inverse frequency go to the device once) and the rotate-half rotation, forward and transposed.
 */
final class RopeLaunch implements AutoCloseable {
    private final LaunchContext cx;
    private final Map<RopeSpec, Tensor[]> specs = new HashMap<>(); // (D/2) axis I32, (D/2) invFreq F32

    RopeLaunch(LaunchContext cx) { this.cx = cx; }

    void table(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin) {
        cx.checks().ropeTable(spec, positions, cos, sin);
        int half = spec.headDim() / 2, n = positions.dim(1);
        if (n == 0) return;
        Tensor[] dspec = specs.computeIfAbsent(spec, this::uploadSpec);
        cx.launch1d(cx.kernel("pm_rope_table").ptr(ptr(positions)).ptr(ptr(dspec[0])).ptr(ptr(dspec[1])).ptr(ptr(cos))
                .ptr(ptr(sin)).i64(n).i32(half), (long) n * half);
    }

    /**
     * A spec's per-frequency axis and inverse frequency, on the device once per spec. Outside any allocation scope:
     * the cache outlives the step that first asked (a scope would free the copies under it).
     */
    private Tensor[] uploadSpec(RopeSpec s) {
        return AllocationScope.outside(() -> {
            try (Tensor axis = Tensor.ofInts(s.axis(), s.axis().length); Tensor inv = Tensor.of(s.invFreq(), s.invFreq().length)) {
                return new Tensor[] {cx.upload(axis), cx.upload(inv)};
            }
        });
    }

    /** rope (sign 1) and ropeBackward (sign −1, the transpose rotation); out may alias x. */
    void rotate(String op, Tensor x, Tensor cos, Tensor sin, Tensor out, float sign) {
        DType t = cx.checks().rope(op, x, cos, sin, out);
        int n = x.dim(0), heads = x.dim(1), dh = x.dim(2), half = dh / 2;
        int w = pack(t), vec = half % w == 0 && aligned(x, out, cos, sin) ? 1 : 0;
        long work = (long) n * heads * (vec == 1 ? half / w : half);
        if (work == 0) return;
        cx.launch1d(cx.kernel("pm_rope_" + KernelNames.suffix(t)).ptr(ptr(x)).ptr(ptr(cos)).ptr(ptr(sin)).ptr(ptr(out))
                .i64(n).i32(heads).i32(dh).f32(sign).i32(vec), work);
    }

    @Override
    public void close() {
        for (Tensor[] t : specs.values()) for (Tensor x : t) x.close();
        specs.clear();
    }
}

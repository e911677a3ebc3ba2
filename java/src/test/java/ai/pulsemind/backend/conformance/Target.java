package ai.pulsemind.backend.conformance;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.DtypeRules;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * A backend under the conformance suite: the backend, the dtype table it checks against (so the cases build only
 * what it accepts), its tolerance table against the CPU reference, and its hooks for what only it can vary (the
 * CUDA backend's attention kernels, its log-prob chunk budget). Cases build their inputs on the host in F32
 * (rounded to the dtype under test, so the reference and the backend see the same values), run the reference
 * ({@link #REF}) on them and the backend on copies in the dtype under test, and {@link #check} the two.
 *
 * <p>Outputs are poisoned with NaN (floats) or −7 (integers) before the backend writes them, so an element it does
 * not write fails. The reference backend is a target too: there it runs against a second reference instance with
 * exact equality, which holds it to determinism and to writing every output element.
 */
public class Target implements AutoCloseable {
    /** The oracle every target is compared with. */
    public static final ReferenceBackend REF = new ReferenceBackend();

    private final String name;
    private final Backend be;
    private final DtypeRules rules;
    private final BiFunction<String, DType, Tolerances.Tol> tolerances;
    private final Parity parity;
    private final boolean small;

    /**
     * @param tolerances the tolerance of a check key in an output dtype
     * @param parity     where the checks are recorded (a GPU run's report), or null
     * @param small      run only the small cases (see {@link #small()})
     */
    public Target(String name, Backend be, DtypeRules rules, BiFunction<String, DType, Tolerances.Tol> tolerances, Parity parity,
                  boolean small) {
        this.name = name;
        this.be = be;
        this.rules = rules;
        this.tolerances = tolerances;
        this.parity = parity;
        this.small = small;
    }

    /**
     * The reference against a second instance of itself, exactly, on the small cases: its plain loops have no
     * path that depends on size (no tiles, vectors or threads), so the small cases hold it to determinism and to
     * writing every output element.
     */
    public static Target reference() {
        return new Target("cpu-reference", new ReferenceBackend(), ai.pulsemind.backend.cpu.CpuDtypes.RULES, (k, d) -> Tolerances.EXACT,
                null, true);
    }

    /** The fast CPU backend with {@code threads} threads, held to the CPU tolerance table on every case. */
    public static Target fastCpu(int threads) {
        return new Target("cpu", new ai.pulsemind.backend.cpu.CpuBackend(threads), ai.pulsemind.backend.cpu.CpuDtypes.RULES,
                (k, d) -> Tolerances.cpu(k), null, false);
    }

    public String name() { return name; }

    public Backend backend() { return be; }

    @Override public String toString() { return name; }

    // ------------------------------------------------------------------ what the target takes

    /** The dtypes an op's floating inputs may take here (F32 on the CPU; F32 and BF16, or BF16 only, on CUDA). */
    public List<DType> dtypes(String op) { return rules.floating(op); }

    /** Whether the op accepts arguments of these dtypes here (one per tensor argument; null for an absent one). */
    public boolean accepts(String op, DType... dtypes) { return rules.accepts(op, dtypes); }

    /**
     * True where only the small cases run: cases that still take every code path of the op, where the large ones
     * would only cost time (the CPU emulator of the CUDA backend, the reference, the CUDA backend's CPU twin).
     */
    public boolean small() { return small; }

    /** The kernel choices an attention case runs under here, each set before the case and named in its label. */
    public List<Variant> attentionVariants(boolean backward) { return List.of(Variant.ONLY); }

    /** Whether the target's attention kernels take head dim {@code d} (a limit of its kernels, not of the contract). */
    public boolean attentionHeadDim(int d) { return true; }

    /** The budget for the fused log-prob's chunk slabs, where the backend has one (0 restores its default). */
    public void logprobChunkBudget(long bytes) {}

    /** A setting of the backend a case runs under; the first of a list is the backend's default. */
    public interface Variant {
        Variant ONLY = new Variant() {
            @Override public String label() { return ""; }

            @Override public void apply() {}
        };

        /** Appended to the case's label (empty for the only setting). */
        String label();

        void apply();

        /** Puts the backend back to the first (default) setting of {@code variants}. */
        static void restore(List<Variant> variants) {
            if (!variants.isEmpty()) variants.get(0).apply();
        }
    }

    // ------------------------------------------------------------------ inputs and outputs

    /** Uniform in [lo, hi), as F32 on the host, rounded to what {@code dtype} can hold. */
    public static Tensor rand(Random rnd, DType dtype, float lo, float hi, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[Math.toIntExact(s.numel())];
        for (int i = 0; i < v.length; i++) v[i] = round(dtype, lo + (hi - lo) * rnd.nextFloat());
        return Tensor.of(v, dims);
    }

    /** {@code x} as {@code dtype} holds it (bf16: round to nearest even). */
    public static float round(DType dtype, float x) { return dtype == DType.BF16 ? Half.bf16ToFloat(Half.floatToBf16(x)) : x; }

    /** A fresh tensor on the target in {@code dtype} holding {@code host}'s values (any host dtype). */
    public Tensor up(Tensor host, DType dtype) {
        try (Tensor h = Tensor.hostEmpty(dtype, host.shape())) {
            if (host.dtype() == dtype) REF.copy(host, h);
            else REF.convert(host, h);
            return be.upload(h);
        }
    }

    /** {@link #up(Tensor, DType)} in the host tensor's own dtype. */
    public Tensor up(Tensor host) { return up(host, host.dtype()); }

    /** A target tensor filled with NaN (floats) or −7 (integers): unwritten elements show. */
    public Tensor poisoned(DType dtype, int... dims) {
        Tensor t = be.empty(dtype, Shape.of(dims));
        be.fill(t, dtype.isFloating() ? Float.NaN : -7f);
        return t;
    }

    /** A target tensor's values on the host, as floats (integers converted exactly below 2^24). */
    public float[] down(Tensor t) {
        try (Tensor h = Tensor.hostEmpty(t.dtype(), t.shape())) {
            be.copy(t, h);
            return h.toFloatArray();
        }
    }

    // ------------------------------------------------------------------ comparison

    /**
     * Compares the target's output with the reference's under the tolerance of {@code key} (an op, or op.output) in
     * the output's dtype; fails with the first mismatch and the largest difference, naming the target and case.
     */
    public void check(String key, String label, DType dtype, Shape shape, float[] got, float[] ref) {
        Tolerances.Tol tol = tolerances.apply(key, dtype).resolved(Parity.rms(ref));
        Parity.compare(parity, name, key, label, dtype, shape, got, ref, tol);
    }

    /** {@link #check(String, String, DType, Shape, float[], float[])} of a target tensor against a host reference. */
    public void check(String key, String label, Tensor got, Tensor ref) {
        check(key, label, got.dtype(), got.shape(), down(got), ref.toFloatArray());
    }

    @Override
    public void close() { be.close(); }
}

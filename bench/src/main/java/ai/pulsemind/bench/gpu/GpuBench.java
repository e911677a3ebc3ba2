package ai.pulsemind.bench.gpu;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.backend.cuda.CudaBackend;
import ai.pulsemind.backend.cuda.CudaDiagnostics;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPU benchmarks of the CUDA backend, timed with CUDA events around each repetition, after warm-up, with the L2
 * cache flushed (a memset of a buffer several times its size) before every repetition, reporting the median:
 * <ul>
 *   <li>the measured ceiling: device-to-device copy bandwidth (bytes read + written);</li>
 *   <li>bf16 GEMM through our cuBLASLt binding on model-shaped problems (TFLOP/s), spot-checked against a
 *       double-precision dot product;</li>
 *   <li>memory-bound kernels (GB/s over the fewest bytes each must move), each checked against the CPU reference
 *       on a prefix of its output before timing.</li>
 * </ul>
 * The part-2 sections ({@link GpuBenchLlm}) time flash attention, decode attention, the fused log-prob (time and
 * peak memory), the device sampler, and greedy decoding of a 3B-shaped model.
 *
 * <p>Writes {@code {"device", "copy_gbps", "rows": [{"name", "shape", "kind", "ms", "value", "unit", ...}]}}; the
 * PyTorch peers in {@code bench/peers/} time the same shapes in the same device call and
 * {@code bench/peers/gpu_report.py} joins them into {@code gpu-bench-<date>-<card>.json}.
 * Run: {@code java ... ai.pulsemind.bench.gpu.GpuBench --out FILE [--reps N] [--sections LIST]} (bin/gpu-verify
 * does), LIST from {@code copy,gemm,memory,attention,decode,logprob,sample,generate} (default: all). {@code --smoke}
 * runs the part-2 sections on tiny shapes, every check included (tools/gpu-dev/java_emu.py's emulated device
 * rehearses the code this way; its numbers mean nothing).
 */
public final class GpuBench {
    private final CudaBackend be;
    private final int reps;
    private final Tensor flush;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final ReferenceBackend ref = new ReferenceBackend();
    private static final int BLOCK = 1 << 22; // host-generated random values, tiled on the device
    static final List<String> SECTIONS = List.of("copy", "gemm", "memory", "attention", "decode", "logprob", "sample", "generate");

    private GpuBench(CudaBackend be, int reps) {
        this.be = be;
        this.reps = reps;
        long flushBytes = Math.max(4L * be.diagnostics().l2Bytes(), 256L << 20);
        this.flush = be.empty(DType.F32, Shape.of((int) (flushBytes / 4)));
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        int reps = 30;
        List<String> sections = SECTIONS;
        boolean smoke = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--sections" -> sections = List.of(args[++i].split(","));
                case "--smoke" -> smoke = true;
                default -> throw new IllegalArgumentException("GpuBench: unknown argument " + args[i]
                        + " (--out FILE [--reps N] [--sections " + String.join(",", SECTIONS) + "])");
            }
        }
        if (out == null) throw new IllegalArgumentException("GpuBench: --out FILE is required");
        for (String sec : sections)
            if (!SECTIONS.contains(sec)) throw new IllegalArgumentException("GpuBench: unknown section " + sec + " (" + SECTIONS + ")");
        try (CudaBackend be = (CudaBackend) Backends.provider("cuda").open(Device.cuda(0), 1)) {
            GpuBench b = new GpuBench(be, reps);
            double copy = b.copyBandwidth(); // always: the memory-bound rows and the report need the ceiling
            GpuBenchLlm llm = new GpuBenchLlm(b, smoke);
            Map<String, Runnable> run = new LinkedHashMap<>();
            run.put("gemm", b::gemms);
            run.put("memory", b::memoryBound);
            run.put("attention", llm::attention);
            run.put("decode", llm::decodeAttention);
            run.put("logprob", llm::logprob);
            run.put("sample", llm::sampling);
            run.put("generate", llm::generate);
            List<String> failures = new ArrayList<>();
            for (Map.Entry<String, Runnable> e : run.entrySet()) {
                if (!sections.contains(e.getKey())) continue;
                try { // a failed section (a wrong result, a CUDA error) is reported; the others still run
                    e.getValue().run();
                } catch (RuntimeException ex) {
                    ex.printStackTrace();
                    failures.add(e.getKey() + ": " + ex);
                }
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("device", be.diagnostics().deviceName());
            doc.put("describe", be.describe());
            doc.put("copy_gbps", copy);
            doc.put("reps", reps);
            if (smoke) doc.put("smoke", true);
            doc.put("rows", b.rows);
            doc.put("failures", failures);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), doc);
            System.out.println("[bench] " + b.rows.size() + " rows -> " + out);
            if (!failures.isEmpty()) {
                System.out.println("[bench] FAILED sections: " + failures);
                System.exit(1);
            }
        }
    }

    // ------------------------------------------------------------------ timing

    CudaBackend backend() { return be; }

    /** Median milliseconds of {@code op} over {@code reps} event-timed runs, L2 flushed before each. */
    double time(Runnable op) { return time(op, reps); }

    double time(Runnable op, int reps) {
        for (int i = 0; i < 3; i++) op.run();
        double[] ms = new double[reps];
        try (CudaDiagnostics.Timer t = be.diagnostics().timer()) {
            for (int i = 0; i < reps; i++) {
                be.fill(flush, (float) i);
                t.start();
                op.run();
                ms[i] = t.stopMs();
            }
        }
        be.synchronize();
        Arrays.sort(ms);
        return ms[reps / 2];
    }

    /** A row of the results: {@code extra} holds the peer's row name ("peer_key") and context (TFLOP/s, GB/s, ...). */
    void row(String name, String shape, String kind, double ms, double value, String unit, Map<String, Object> extra) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("shape", shape);
        r.put("kind", kind);
        r.put("ms", ms);
        r.put("value", value);
        r.put("unit", unit);
        r.putAll(extra);
        rows.add(r);
        System.out.printf("[bench] %-44s %-36s %10.3f ms %12.2f %s%n", name, shape, ms, value, unit);
    }

    /** A row without peer context; a GEMM's (M, N, K) when given. */
    private void row(String name, String shape, String kind, double ms, double value, String unit, int... mnk) {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (mnk.length == 3) {
            extra.put("m", mnk[0]);
            extra.put("n", mnk[1]);
            extra.put("k", mnk[2]);
        }
        row(name, shape, kind, ms, value, unit, extra);
    }

    /** A device tensor of random values in [-1, 1) (a host block tiled on the device: never zeros). */
    Tensor random(DType dt, long seed, int... dims) {
        Shape s = Shape.of(dims);
        Tensor t = be.empty(dt, s);
        Tensor flat = t.reshape((int) s.numel());
        try (Tensor h = hostBlock(dt, seed, (int) Math.min(BLOCK, s.numel())); Tensor blk = be.upload(h)) {
            for (long o = 0; o < s.numel(); o += h.numel()) {
                int len = (int) Math.min(h.numel(), s.numel() - o);
                be.copy(blk.narrow(0, 0, len), flat.narrow(0, (int) o, len));
            }
        }
        return t;
    }

    private static Tensor hostBlock(DType dt, long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor h = Tensor.hostEmpty(dt, Shape.of(n));
        for (int i = 0; i < n; i++) {
            float v = (float) (r.nextDouble() * 2 - 1);
            h.setFloat(i, dt == DType.BF16 ? Half.bf16ToFloat(Half.floatToBf16(v)) : v);
        }
        return h;
    }

    /** The first min(n, numel) values of t, on the host. */
    float[] prefix(Tensor t, int n) {
        n = (int) Math.min(n, t.numel());
        Tensor flat = t.reshape((int) t.numel()).narrow(0, 0, n);
        try (Tensor h = Tensor.hostEmpty(t.dtype(), Shape.of(n))) {
            be.copy(flat, h);
            return h.toFloatArray();
        }
    }

    private static Tensor host(float[] v, int... dims) { return Tensor.of(v, dims); }

    /** Fails the benchmark (it would be timing a wrong kernel) unless every value is within tolerance. */
    static void agree(String name, float[] got, float[] want, double atol, double rtol) {
        for (int i = 0; i < want.length; i++)
            if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i])))
                throw new IllegalStateException(name + ": result wrong at " + i + ": " + got[i] + " vs reference " + want[i]);
    }

    // ------------------------------------------------------------------ the ceiling

    private double copyBandwidth() {
        long n = 1L << 28; // 1 GiB of f32 each way
        try (Tensor a = random(DType.F32, 1, (int) n); Tensor b = be.empty(DType.F32, Shape.of((int) n))) {
            double ms = time(() -> be.diagnostics().rawCopy(a, b));
            double gbps = 2.0 * 4 * n / (ms * 1e6);
            row("copy_d2d", "1 GiB", "ceiling", ms, gbps, "GB/s");
            return gbps;
        }
    }

    // ------------------------------------------------------------------ GEMM

    /** (M, N, K) for x (M, K) · wᵀ with w (N, K), the linear-layer layout; 7B-shaped projections among them. */
    static final int[][] GEMMS = {{2048, 2048, 2048}, {4096, 4096, 4096}, {8192, 8192, 8192}, {8192, 3584, 3584},
            {8192, 18944, 3584}, {8192, 3584, 18944}, {16384, 2048, 11008}};

    private void gemms() {
        for (int[] s : GEMMS) {
            int m = s[0], n = s[1], k = s[2];
            try (Tensor a = random(DType.BF16, 2, m, k); Tensor w = random(DType.BF16, 3, n, k);
                 Tensor c = be.empty(DType.BF16, Shape.of(m, n))) {
                be.matmul(a, false, w, true, c, 1f, 0f);
                spotCheck(a, w, c, m, n, k);
                double ms = time(() -> be.matmul(a, false, w, true, c, 1f, 0f));
                row("gemm_bf16_" + m + "x" + n + "x" + k, m + "x" + n + "x" + k, "gemm", ms, 2.0 * m * n * k / (ms * 1e9),
                        "TFLOP/s", m, n, k);
            }
        }
    }

    private void spotCheck(Tensor a, Tensor w, Tensor c, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(9);
        for (int s = 0; s < 8; s++) {
            int i = r.nextInt(m), j = r.nextInt(n);
            float[] ai = rowOf(a, i, k), wj = rowOf(w, j, k);
            double want = 0;
            for (int q = 0; q < k; q++) want += (double) ai[q] * wj[q];
            float got = rowOf(c, i, n)[j];
            if (Math.abs(got - want) > 2e-2 * Math.sqrt(k) * 0.1 + 1e-2 * Math.abs(want))
                throw new IllegalStateException("gemm " + m + "x" + n + "x" + k + " wrong at (" + i + ", " + j + "): " + got + " vs " + want);
        }
    }

    float[] rowOf(Tensor t, int r, int cols) {
        try (Tensor h = Tensor.hostEmpty(t.dtype(), Shape.of(cols))) {
            be.copy(t.narrow(0, r, 1).reshape(cols), h);
            return h.toFloatArray();
        }
    }

    // ------------------------------------------------------------------ memory-bound kernels

    private void bandwidth(String name, String shape, double bytes, Runnable op) {
        double ms = time(op);
        row(name, shape, "memory", ms, bytes / (ms * 1e6), "GB/s");
    }

    private void memoryBound() {
        int n = 1 << 28, rows = 1 << 16, cols = 1 << 12; // 2^28 elements: 512 MiB per bf16 tensor
        String flat = "2^28", rc = rows + "x" + cols;
        try (Tensor x = random(DType.BF16, 4, n); Tensor y = random(DType.BF16, 5, n); Tensor o = be.empty(DType.BF16, Shape.of(n))) {
            be.add(x, y, o);
            agree("add_bf16", prefix(o, 4096), sum(prefix(x, 4096), prefix(y, 4096)), 1e-2, 1e-2);
            bandwidth("add_bf16", flat, 3.0 * 2 * n, () -> be.add(x, y, o));
            bandwidth("scale_bf16", flat, 2.0 * 2 * n, () -> be.scale(x, 0.5f, o));
            bandwidth("silu_bf16", flat, 2.0 * 2 * n, () -> be.silu(x, o));
            be.swiglu(x, y, o);
            try (Tensor hx = host(prefix(x, 4096), 4096); Tensor hy = host(prefix(y, 4096), 4096);
                 Tensor hr = Tensor.hostEmpty(DType.F32, Shape.of(4096))) {
                ref.swiglu(hx, hy, hr);
                agree("swiglu_bf16", prefix(o, 4096), hr.toFloatArray(), 1e-2, 1e-2);
            }
            bandwidth("swiglu_bf16", flat, 3.0 * 2 * n, () -> be.swiglu(x, y, o));
            Tensor x2 = x.reshape(rows, cols), o2 = o.reshape(rows, cols);
            try (Tensor w = random(DType.BF16, 6, cols); Tensor b = random(DType.BF16, 7, cols);
                 Tensor rstd = be.empty(DType.F32, Shape.of(rows)); Tensor mean = be.empty(DType.F32, Shape.of(rows))) {
                be.rmsnorm(x2, w, 1e-6f, o2, rstd);
                checkRows("rmsnorm_bf16", x2, w, o2, cols);
                bandwidth("rmsnorm_bf16", rc, 2.0 * 2 * n + 4.0 * rows, () -> be.rmsnorm(x2, w, 1e-6f, o2, rstd));
                bandwidth("layernorm_bf16", rc, 2.0 * 2 * n + 8.0 * rows, () -> be.layernorm(x2, w, b, 1e-5f, o2, mean, rstd));
            }
            bandwidth("softmax_bf16", rc, 2.0 * 2 * n, () -> be.softmax(x2, o2));
            int tokens = 1 << 16, heads = 32, hd = 128;
            Tensor x3 = x.reshape(tokens, heads, hd), o3 = o.reshape(tokens, heads, hd);
            try (Tensor pos = be.upload(Tensor.ofInts(positions(tokens), 1, tokens));
                 Tensor cos = be.empty(DType.F32, Shape.of(tokens, hd / 2)); Tensor sin = be.empty(DType.F32, Shape.of(tokens, hd / 2))) {
                be.ropeTable(RopeSpec.text(hd, 1e6), pos, cos, sin);
                bandwidth("rope_bf16", tokens + "x" + heads + "x" + hd, 2.0 * 2 * n + 2.0 * 4 * tokens * hd / 2,
                        () -> be.rope(x3, cos, sin, o3));
            }
            try (Tensor f = random(DType.F32, 8, n / 2)) {
                Tensor half = o.narrow(0, 0, n / 2);
                be.convert(f, half);
                agree("convert_f32_bf16", prefix(half, 4096), prefix(f, 4096), 0, 4e-3);
                bandwidth("convert_f32_bf16", "2^27", (4.0 + 2) * (n / 2), () -> be.convert(f, half));
            }
        }
        adamwBench();
        gatherBench();
    }

    private static float[] sum(float[] a, float[] b) {
        float[] s = new float[a.length];
        for (int i = 0; i < a.length; i++) s[i] = a[i] + b[i];
        return s;
    }

    private static int[] positions(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** The first two rows of a row op against the reference. */
    private void checkRows(String name, Tensor x, Tensor w, Tensor o, int cols) {
        try (Tensor hx = host(prefix(x, 2 * cols), 2, cols); Tensor hw = host(prefix(w, cols), cols);
             Tensor hr = Tensor.hostEmpty(DType.F32, Shape.of(2, cols)); Tensor rs = Tensor.hostEmpty(DType.F32, Shape.of(2))) {
            ref.rmsnorm(hx, hw, 1e-6f, hr, rs);
            agree(name, prefix(o, 2 * cols), hr.toFloatArray(), 1e-2, 1e-2);
        }
    }

    private void adamwBench() {
        int n = 1 << 26;
        try (Tensor p = random(DType.F32, 10, n); Tensor g = random(DType.BF16, 11, n); Tensor m = be.zeros(DType.F32, Shape.of(n));
             Tensor v = be.zeros(DType.F32, Shape.of(n)); Tensor copy = be.empty(DType.BF16, Shape.of(n))) {
            float[] p0 = prefix(p, 4096), g0 = prefix(g, 4096);
            AdamWParams hp = new AdamWParams(1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1);
            be.adamw(p, g, m, v, hp, copy);
            try (Tensor hp0 = host(p0, 4096); Tensor hg = host(g0, 4096); Tensor hm = Tensor.hostZeros(DType.F32, Shape.of(4096));
                 Tensor hv = Tensor.hostZeros(DType.F32, Shape.of(4096))) {
                ref.adamw(hp0, hg, hm, hv, hp);
                agree("adamw", prefix(p, 4096), hp0.toFloatArray(), 1e-6, 1e-5);
            }
            // reads p, m, v (f32) and g (bf16); writes p, m, v and the bf16 copy
            bandwidth("adamw_f32_bf16grad_copy", "2^26", (12.0 + 2 + 12 + 2) * n, () -> be.adamw(p, g, m, v, hp, copy));
        }
    }

    private void gatherBench() {
        int vocab = 151936, c = 2048, n = 1 << 16;
        SplittableRandom r = new SplittableRandom(12);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
        try (Tensor table = random(DType.BF16, 13, vocab, c); Tensor idx = be.upload(Tensor.ofInts(ids, n));
             Tensor out = be.empty(DType.BF16, Shape.of(n, c))) {
            be.gatherRows(table, idx, out);
            agree("gather_rows_bf16", rowOf(out, 0, c), rowOf(table, ids[0], c), 0, 0);
            bandwidth("gather_rows_bf16", n + "x" + c, 2.0 * 2 * n * c + 4.0 * n, () -> be.gatherRows(table, idx, out));
        }
    }
}

package ai.pulsemind.bench.gpu;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.backend.cuda.AttentionKernels;
import ai.pulsemind.backend.cuda.CudaBackend;
import ai.pulsemind.model.generate.GenerationConfig;
import ai.pulsemind.model.generate.Generator;
import ai.pulsemind.model.io.TextConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The part-2 GPU benchmarks, on the shapes of the targets and of the PyTorch peers in bench/peers
 * (gpu_attention_peer.py, gpu_logprob_peer.py, gpu_sampling_peer.py, gpu_generate_peer.py), each result checked
 * before it is timed: flash attention forward per kernel variant and backward (hd128, S = 4096 among them), decode
 * attention, the fused log-prob's time and peak memory at 8192 tokens × 151,936 ids, the device sampler, and greedy
 * decoding of a Qwen2.5-3B-shaped model with random bf16 weights at batch 1 and 32. Row names match the peers' so
 * bench/peers/gpu_report.py can join them ({@code peer_key}).
 */
final class GpuBenchLlm {
    /** (B, Hq, Hkv, S, D, causal): gpu_attention_peer.ATTN_SHAPES. */
    static final int[][] ATTENTION = {{1, 16, 16, 1024, 128, 0}, {4, 16, 16, 4096, 128, 0}, {4, 16, 16, 4096, 128, 1},
            {4, 16, 2, 4096, 128, 1}, {4, 16, 16, 4096, 64, 1}, {16, 16, 16, 1024, 80, 0}};
    /** (B, Hq, Hkv, D, L): gpu_attention_peer.DECODE_SHAPES, a Qwen2.5-3B-shaped layer. */
    static final int[][] DECODE = {{1, 16, 2, 128, 4096}, {32, 16, 2, 128, 4096}, {1, 16, 2, 128, 32768}};
    /** Qwen2.5-3B's text config (tied embeddings): 36 layers, 2048 wide, 16 heads / 2 KV heads, 11008 FFN. */
    static final TextConfig QWEN_3B = new TextConfig(2048, 36, 16, 2, 11008, 151936, 1e-6, 1_000_000, List.of(16, 24, 24), 32768, "silu");
    static final int PROMPT = 128, NEW_TOKENS = 64;

    /** --smoke: the same code on tiny shapes (for the emulated device). */
    static final int[][] ATTENTION_SMOKE = {{2, 2, 1, 40, 64, 1}, {1, 2, 2, 33, 80, 0}};
    static final int[][] DECODE_SMOKE = {{2, 4, 2, 64, 70}};
    static final TextConfig TINY = new TextConfig(64, 2, 4, 2, 128, 512, 1e-6, 10000, List.of(2, 3, 3), 4096, "silu");

    private final GpuBench b;
    private final CudaBackend be;
    private final ReferenceBackend ref = new ReferenceBackend();
    private final boolean smoke;

    GpuBenchLlm(GpuBench b, boolean smoke) {
        this.b = b;
        this.be = b.backend();
        this.smoke = smoke;
    }

    private static Map<String, Object> extra(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private float[] host(Tensor t) {
        try (Tensor h = Tensor.hostEmpty(t.dtype(), t.shape())) {
            be.copy(t, h);
            return h.toFloatArray();
        }
    }

    // ------------------------------------------------------------------ attention

    static String attnTag(int[] s) {
        return "hd" + s[4] + "_s" + s[3] + "_b" + s[0] + "_h" + s[1] + (s[2] != s[1] ? "_kv" + s[2] : "") + (s[5] == 1 ? "_causal" : "_full");
    }

    void attention() {
        for (int[] s : smoke ? ATTENTION_SMOKE : ATTENTION) {
            int bsz = s[0], hq = s[1], hkv = s[2], len = s[3], d = s[4], n = bsz * len;
            boolean causal = s[5] == 1;
            int[] lens = new int[bsz];
            java.util.Arrays.fill(lens, len);
            AttentionSpec spec = AttentionSpec.selfAttention(lens, causal, d);
            String tag = attnTag(s), shape = "B=" + bsz + " Hq=" + hq + " Hkv=" + hkv + " S=" + len + " D=" + d + (causal ? " causal" : " full");
            double flops = 4.0 * bsz * hq * (double) len * len * d * (causal ? 0.5 : 1.0);
            try (Tensor q = b.random(DType.BF16, 31, n, hq, d); Tensor k = b.random(DType.BF16, 32, n, hkv, d);
                 Tensor v = b.random(DType.BF16, 33, n, hkv, d); Tensor dout = b.random(DType.BF16, 34, n, hq, d);
                 Tensor out = be.empty(DType.BF16, Shape.of(n, hq, d)); Tensor lse = be.empty(DType.F32, Shape.of(hq, n));
                 Tensor dq = be.empty(DType.BF16, q.shape()); Tensor dk = be.empty(DType.BF16, k.shape()); Tensor dv = be.empty(DType.BF16, v.shape())) {
                List<AttentionKernels> kernels = new ArrayList<>(List.of(AttentionKernels.V2, AttentionKernels.V3));
                if (n <= 8192) kernels.add(AttentionKernels.V1); // seconds per call at the large shapes
                for (AttentionKernels kern : kernels) {
                    be.useAttentionKernels(kern);
                    be.attention(q, k, v, spec, out, lse);
                    checkAttention(q, k, v, out, hq, hkv, d, len, causal, tag + " " + kern);
                    double ms = b.time(() -> be.attention(q, k, v, spec, out, lse));
                    b.row("attention_fwd_" + tag + "_" + kern.name().toLowerCase(), shape, "attention", ms, ms, "ms",
                            extra("peer_key", "attention_fwd_" + tag, "tflops", flops / ms / 1e9, "kernels", kern.name()));
                }
                be.useAttentionKernels(AttentionKernels.AUTO);
                be.attention(q, k, v, spec, out, lse);
                be.attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv);
                float[] g1 = b.prefix(dq, 4096), k1 = b.prefix(dk, 4096);
                be.attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv);
                GpuBench.agree("attention_bwd " + tag + " (deterministic)", b.prefix(dq, 4096), g1, 0, 0);
                GpuBench.agree("attention_bwd " + tag + " (deterministic)", b.prefix(dk, 4096), k1, 0, 0);
                finite("attention_bwd " + tag, g1);
                double ms = b.time(() -> be.attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv), 20);
                b.row("attention_bwd_" + tag, shape, "attention", ms, ms, "ms", extra("peer_key", "attention_bwd_" + tag,
                        "tflops", 2.5 * flops / ms / 1e9, "note", "2.5x forward FLOPs by convention; dq in its own pass"));
            }
        }
    }

    private static void finite(String what, float[] v) {
        double sum = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) throw new IllegalStateException(what + ": non-finite output " + x);
            sum += Math.abs(x);
        }
        if (sum == 0) throw new IllegalStateException(what + ": all zeros");
    }

    /** Output rows of query 1 and the segment's last query, head 0 and the last head, against double on the host. */
    private void checkAttention(Tensor q, Tensor k, Tensor v, Tensor out, int hq, int hkv, int d, int len, boolean causal, String what) {
        float[] ks = host(k.narrow(0, 0, len)), vs = host(v.narrow(0, 0, len));
        for (int i : new int[] {1, len - 1}) {
            float[] qi = host(q.narrow(0, i, 1)), oi = host(out.narrow(0, i, 1));
            for (int h : new int[] {0, hq - 1})
                GpuBench.agree("attention " + what + " row " + i + " head " + h, java.util.Arrays.copyOfRange(oi, h * d, h * d + d),
                        attend(qi, h, ks, vs, hq, hkv, d, causal ? i + 1 : len), 2e-2, 2e-2);
        }
    }

    /**
     * softmax(q_h · kᵀ / √d) · v in double for query head h over the first {@code visible} keys: q (Hq, D), k, v
     * (L, Hkv, D) flat; head h reads K/V head h / (Hq/Hkv).
     */
    private static float[] attend(float[] q, int h, float[] k, float[] v, int hq, int hkv, int d, int visible) {
        int kh = h / (hq / hkv);
        double[] sc = new double[visible];
        double mx = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < visible; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) dot += (double) q[h * d + c] * k[(j * hkv + kh) * d + c];
            sc[j] = dot / Math.sqrt(d);
            mx = Math.max(mx, sc[j]);
        }
        for (int j = 0; j < visible; j++) sum += sc[j] = Math.exp(sc[j] - mx);
        float[] want = new float[d];
        for (int c = 0; c < d; c++) {
            double o = 0;
            for (int j = 0; j < visible; j++) o += sc[j] * v[(j * hkv + kh) * d + c];
            want[c] = (float) (o / sum);
        }
        return want;
    }

    // ------------------------------------------------------------------ decode attention

    void decodeAttention() {
        for (int[] s : smoke ? DECODE_SMOKE : DECODE) {
            int bsz = s[0], hq = s[1], hkv = s[2], d = s[3], len = s[4];
            int[] lengths = new int[bsz];
            java.util.Arrays.fill(lengths, len);
            try (Tensor q = b.random(DType.BF16, 41, bsz, hq, d); Tensor kc = b.random(DType.BF16, 42, bsz, len, hkv, d);
                 Tensor vc = b.random(DType.BF16, 43, bsz, len, hkv, d); Tensor out = be.empty(DType.BF16, Shape.of(bsz, hq, d))) {
                float scale = (float) (1 / Math.sqrt(d));
                be.attentionDecode(q, kc, vc, lengths, scale, out);
                checkDecode(q, kc, vc, out, bsz - 1, hq - 1, hq, hkv, d, len);
                double ms = b.time(() -> be.attentionDecode(q, kc, vc, lengths, scale, out), 50);
                double bytes = 2.0 * bsz * len * hkv * d * 2;
                b.row("decode_attn_b" + bsz + "_l" + len, "B=" + bsz + " Hq=" + hq + " Hkv=" + hkv + " D=" + d + " L=" + len,
                        "decode", ms, ms, "ms", extra("peer_key", "decode_attn_b" + bsz + "_l" + len, "gbps", bytes / ms / 1e6,
                                "plan", java.util.Arrays.toString(be.diagnostics().decodePlan(bsz, hq, hkv, len))));
            }
        }
    }

    /** Sequence bi's head h against double on the host. */
    private void checkDecode(Tensor q, Tensor kc, Tensor vc, Tensor out, int bi, int h, int hq, int hkv, int d, int len) {
        float[] qs = host(q.narrow(0, bi, 1)), ks = host(kc.narrow(0, bi, 1)), vs = host(vc.narrow(0, bi, 1)), os = host(out.narrow(0, bi, 1));
        GpuBench.agree("decode attention L=" + len, java.util.Arrays.copyOfRange(os, h * d, h * d + d),
                attend(qs, h, ks, vs, hq, hkv, d, len), 2e-2, 2e-2);
    }

    // ------------------------------------------------------------------ log-prob

    void logprob() {
        int n = smoke ? 64 : 8192, c = smoke ? 32 : 2048, vocab = smoke ? 1000 : 151_936;
        String shape = "N=" + n + " C=" + c + " V=" + vocab, sfx = "n" + n + "_v" + vocab;
        double logitsBf16Mib = (double) n * vocab * 2 / (1 << 20);
        SplittableRandom r = new SplittableRandom(21);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % 7 == 0 ? -1 : r.nextInt(vocab);
        try (Tensor h = b.random(DType.BF16, 51, n, c); Tensor w = b.random(DType.BF16, 52, vocab, c); Tensor th = Tensor.ofInts(t, n);
             Tensor tg = be.upload(th); Tensor logp = be.empty(DType.F32, Shape.of(n)); Tensor lse = be.empty(DType.F32, Shape.of(n));
             Tensor dl = b.random(DType.F32, 53, n); Tensor dh = be.empty(DType.BF16, Shape.of(n, c));
             Tensor dw = be.zeros(DType.F32, Shape.of(vocab, c))) {
            be.scale(w, 0.05f, w); // logits of O(1), as a trained head's
            be.logprob(h, w, tg, 1f, logp, lse);
            checkLogprob(h, w, t, logp, c, vocab);
            be.logprobBackward(h, w, tg, 1f, lse, dl, dh, dw); // warm-up (plans, workspace)
            finite("logprob_bwd dhidden", b.prefix(dh, 4096));
            be.synchronize();
            long base = be.memoryStats().inUse();
            be.diagnostics().resetPeakMemory();
            be.logprob(h, w, tg, 1f, logp, lse);
            be.synchronize();
            double fwdMib = (be.memoryStats().peak() - base) / (double) (1 << 20);
            be.diagnostics().resetPeakMemory();
            be.logprob(h, w, tg, 1f, logp, lse);
            be.logprobBackward(h, w, tg, 1f, lse, dl, dh, dw);
            be.synchronize();
            double bwdMib = (be.memoryStats().peak() - base) / (double) (1 << 20);
            Map<String, Object> mem = extra("logits_bf16_mib", logitsBf16Mib, "target_mib", logitsBf16Mib / 8,
                    "scratch_budget_mib", be.diagnostics().logprobScratchBytes() / (double) (1 << 20));
            b.row("logprob_fwd_peakmem_" + sfx, shape, "logprob_mem", 0, fwdMib, "MiB", withKey(mem, "logprob_fwd_peakmem_" + sfx));
            b.row("logprob_fwdbwd_peakmem_" + sfx, shape, "logprob_mem", 0, bwdMib, "MiB",
                    withKey(mem, "logprob_fwdbwd_peakmem_" + sfx, "note", "ours accumulates into an existing f32 head gradient"));
            double gemm = 2.0 * n * vocab * c;
            double f = b.time(() -> be.logprob(h, w, tg, 1f, logp, lse), 20);
            b.row("logprob_fwd_" + sfx, shape, "logprob", f, f, "ms", extra("peer_key", "logprob_fwd_" + sfx, "gemm_tflops", gemm / f / 1e9));
            double fb = b.time(() -> {
                be.logprob(h, w, tg, 1f, logp, lse);
                be.logprobBackward(h, w, tg, 1f, lse, dl, dh, dw);
            }, 20);
            b.row("logprob_fwdbwd_" + sfx, shape, "logprob", fb, fb, "ms", extra("peer_key", "logprob_fwdbwd_" + sfx,
                    "gemm_tflops", 4 * gemm / fb / 1e9, "note", "4 GEMMs per chunk: logits in fwd and again in bwd, dhidden, dweight"));
        }
    }

    private static Map<String, Object> withKey(Map<String, Object> base, String key, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put("peer_key", key);
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        return m;
    }

    /** logp of rows 1 and 2 (targets in range) over the whole vocabulary in double on the host. */
    private void checkLogprob(Tensor h, Tensor w, int[] t, Tensor logp, int c, int vocab) {
        float[] lp = b.prefix(logp, 3);
        for (int row = 1; row <= 2; row++) {
            float[] hr = b.rowOf(h, row, c);
            double mx = Double.NEGATIVE_INFINITY, sum = 0, target = 0;
            double[] z = new double[vocab];
            int block = 8192;
            for (int v0 = 0; v0 < vocab; v0 += block) {
                int vc = Math.min(block, vocab - v0);
                float[] wb = host(w.narrow(0, v0, vc));
                for (int v = 0; v < vc; v++) {
                    double dot = 0;
                    for (int i = 0; i < c; i++) dot += (double) hr[i] * wb[v * c + i];
                    z[v0 + v] = dot;
                    mx = Math.max(mx, dot);
                }
            }
            for (double x : z) sum += Math.exp(x - mx);
            target = z[t[row]] - (mx + Math.log(sum));
            GpuBench.agree("logprob row " + row, new float[] {lp[row]}, new float[] {(float) target}, 2e-3, 1e-4);
        }
    }

    // ------------------------------------------------------------------ sampling

    void sampling() {
        int vocab = smoke ? 1000 : 151_936, nprev = smoke ? 16 : 512;
        SamplingParams sp = new SamplingParams(0.8f, 50, 0.9f, 1.1f); // gpu_sampling_peer.SAMPLE_CFG
        for (int bsz : new int[] {1, 32}) {
            SplittableRandom r = new SplittableRandom(77);
            int[] prev = new int[bsz * nprev];
            for (int i = 0; i < prev.length; i++) prev[i] = r.nextInt(vocab);
            try (Tensor logits = b.random(DType.F32, 61, bsz, vocab); Tensor ph = Tensor.ofInts(prev, bsz, nprev);
                 Tensor pd = be.upload(ph); Tensor ids = be.empty(DType.I32, Shape.of(bsz))) {
                be.scale(logits, 3f, logits);
                be.sample(logits, ai.pulsemind.backend.SampleRow.streams(sp, 5, 9, bsz), pd, ids);
                try (Tensor hl = Tensor.hostEmpty(DType.F32, logits.shape()); Tensor want = Tensor.hostEmpty(DType.I32, Shape.of(bsz))) {
                    be.copy(logits, hl);
                    ref.sample(hl, ai.pulsemind.backend.SampleRow.streams(sp, 5, 9, bsz), ph, want);
                    GpuBench.agree("sample b" + bsz + " (the CPU twin's ids)", host(ids), want.toFloatArray(), 0, 0);
                }
                var rows = ai.pulsemind.backend.SampleRow.streams(sp, 5, 9, bsz);
                double ms = b.time(() -> be.sample(logits, rows, pd, ids), 50);
                b.row("sample_b" + bsz + "_v" + vocab, "B=" + bsz + " V=" + vocab + " T=0.8 k=50 p=0.9 pen=1.1 prev=" + nprev,
                        "sample", ms, ms, "ms", extra("peer_key", "sample_b" + bsz + "_v" + vocab));
            }
        }
    }

    // ------------------------------------------------------------------ decoding a 3B-shaped model

    void generate() {
        TextConfig dims = smoke ? TINY : QWEN_3B;
        int promptLen = smoke ? 8 : PROMPT, newTokens = smoke ? 4 : NEW_TOKENS;
        Map<String, Tensor> weights = randomWeights(dims);
        try {
            Qwen25VL model = new Qwen25VL(be, dims, null, true, -1, weights::get);
            Ops ops = new Ops(be);
            long params = model.params().count();
            for (int bsz : new int[] {1, 32}) {
                SplittableRandom r = new SplittableRandom(2);
                List<Qwen25VL.Sequence> prompts = new ArrayList<>();
                for (int i = 0; i < bsz; i++) prompts.add(Qwen25VL.Sequence.text(r.ints(promptLen, 0, dims.vocabSize()).toArray()));
                Generator gen = new Generator(model, ops);
                var warm = gen.generate(prompts, GenerationConfig.greedy(2), null);   // warm-up, and the check below
                prefill(ops, model, prompts);
                be.synchronize();
                long t0 = System.nanoTime();
                prefill(ops, model, prompts);
                be.synchronize();
                double prefillS = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                var out = gen.generate(prompts, GenerationConfig.greedy(newTokens), null);
                double totalS = (System.nanoTime() - t1) / 1e9, decodeS = Math.max(1e-9, totalS - prefillS);
                for (int i = 0; i < bsz; i++) {
                    int[] ids = out.get(i).newIds();
                    if (ids.length != newTokens || ids[0] != warm.get(i).newIds()[0] || ids[1] != warm.get(i).newIds()[1])
                        throw new IllegalStateException("generate: sequence " + i + " is not deterministic or short: " + ids.length);
                }
                double tps = bsz * (double) (newTokens - 1) / decodeS;
                b.row("decode_3b_b" + bsz, (smoke ? "tiny" : "Qwen2.5-3B") + " shape, bf16, B=" + bsz + " prompt " + promptLen
                                + " new " + newTokens, "generate", decodeS * 1000 / (newTokens - 1), tps, "tokens/s",
                        extra("peer_key", "decode_3b_b" + bsz, "prefill_tokens_per_s", bsz * (double) promptLen / prefillS, "params", params,
                                "note", "greedy, device sampler; decode = generate - prefill, as the peer"));
            }
        } finally {
            for (Tensor t : weights.values()) t.close();
        }
    }

    private static void prefill(Ops ops, Qwen25VL model, List<Qwen25VL.Sequence> prompts) {
        try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
            model.forward(ops, prompts, null);
        }
    }

    /** Random bf16 weights on the device, scaled like a trained network's (std ≈ 0.02), norms 1. */
    private Map<String, Tensor> randomWeights(TextConfig d) {
        Map<String, Tensor> w = new HashMap<>();
        int c = d.hiddenSize(), kv = d.numKvHeads() * d.headDim(), f = d.intermediateSize();
        long seed = 100;
        put(w, "model.embed_tokens.weight", seed++, d.vocabSize(), c);
        for (int i = 0; i < d.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            ones(w, p + "input_layernorm.weight", c);
            ones(w, p + "post_attention_layernorm.weight", c);
            put(w, p + "self_attn.q_proj.weight", seed++, c, c);
            put(w, p + "self_attn.q_proj.bias", seed++, c);
            put(w, p + "self_attn.k_proj.weight", seed++, kv, c);
            put(w, p + "self_attn.k_proj.bias", seed++, kv);
            put(w, p + "self_attn.v_proj.weight", seed++, kv, c);
            put(w, p + "self_attn.v_proj.bias", seed++, kv);
            put(w, p + "self_attn.o_proj.weight", seed++, c, c);
            put(w, p + "mlp.gate_proj.weight", seed++, f, c);
            put(w, p + "mlp.up_proj.weight", seed++, f, c);
            put(w, p + "mlp.down_proj.weight", seed++, c, f);
        }
        ones(w, "model.norm.weight", c);
        return w;
    }

    private void put(Map<String, Tensor> w, String name, long seed, int... dims) {
        Tensor t = b.random(DType.BF16, seed, dims);
        be.scale(t, 0.035f, t); // uniform [-0.035, 0.035): std 0.02
        w.put(name, t);
    }

    private void ones(Map<String, Tensor> w, String name, int n) {
        Tensor t = be.empty(DType.BF16, Shape.of(n));
        be.fill(t, 1f);
        w.put(name, t);
    }
}

package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.address;

/**
 * Host composition of {@code flash_attention.cu} and {@code decode_attention.cu}: grids, blocks, dynamic shared
 * memory, scratch and the order of the backward's three kernels, as the launch tables of tools/gpu-dev/README.md
 * give them ({@code tools/gpu-dev/ops.py} is their executable twin, checked there against the kernels).
 *
 * <p>The kernels take bf16 q, k, v, out and gradients with f32 log-sum-exps; cu_seqlens live on the device, one
 * upload per distinct {@link AttentionSpec} ({@link MetadataCache}).
 */
final class AttentionLaunch implements AutoCloseable {
    static final int BN = 64;                                // key tile of the v2 forward and dq kernels
    static final int DECODE_GB = 8, DECODE_MIN_CHUNK = 64;   // query heads per split block; keys per split, at least

    private final LaunchContext cx;
    private final MetadataCache<AttentionSpec> specs = new MetadataCache<>(64);       // (2(S+1)) I32: cu_q then cu_k
    private final MetadataCache<MetadataCache.Ints> lengths = new MetadataCache<>(8);  // (2B) I32: decode lengths then slots
    private AttentionKernels kernels = AttentionKernels.AUTO;

    AttentionLaunch(LaunchContext cx) { this.cx = cx; }

    void use(AttentionKernels k) { kernels = k == null ? AttentionKernels.AUTO : k; }

    AttentionKernels kernels() { return kernels; }

    long specUploads() { return specs.uploads(); }

    // ------------------------------------------------------------------ geometry (ops.py)

    /** Dynamic shared memory of pm_attn_fwd_v2/v3: Q (16·warps rows) + K + V tiles, rows padded to D + 8. */
    static int fwdSmem(int d, int warps) { return (16 * warps + 2 * BN) * (d + 8) * 2; }

    /** pm_attn_bwd_dq_v2: Q, dO (64 rows each) + double-buffered K, V tiles. */
    static int dqSmem(int d) { return (2 * 64 + 4 * BN) * (d + 8) * 2; }

    /** pm_attn_bwd_dkdv_v2: K, V (64 rows each) + double-buffered Q, dO tiles of BMQ rows + lse, delta (f32). */
    static int dkdvSmem(int d) {
        int bmq = dkdvBmq(d);
        return (2 * 64 + 4 * bmq) * (d + 8) * 2 + 4 * bmq * 4;
    }

    static int dkdvBmq(int d) { return d == 128 ? 32 : 64; }

    static long cdiv(long a, long b) { return LaunchContext.cdiv(a, b); }

    static boolean tensorCoreDim(int d) { return d == 64 || d == 80 || d == 128; }

    /**
     * {nsplit, chunk} of the split decode (ops.decode_plan): enough blocks for about two waves of the device, at
     * least 64 keys per split, no split starting past {@code maxLen}; nsplit · chunk covers maxLen.
     */
    static int[] decodePlan(int batch, int hq, int hkv, int maxLen, int sms) {
        if (maxLen <= 0) return new int[] {1, 1};
        long blocks = (long) batch * hkv * cdiv(hq / hkv, DECODE_GB);
        int nsplit = (int) Math.max(1, Math.min(cdiv(2L * sms, blocks), cdiv(maxLen, DECODE_MIN_CHUNK)));
        int chunk = (int) cdiv(maxLen, nsplit);
        return new int[] {(int) cdiv(maxLen, chunk), chunk};
    }

    /** The forward variant for head dim d: "v1", "v2" or "v3". */
    String forwardVariant(int d, boolean aligned) {
        if (!tensorCoreDim(d) || !aligned) return "v1";
        return switch (kernels) {
            case V1 -> "v1";
            case V2 -> "v2";
            case V3 -> "v3";
            case AUTO -> d == 128 ? "v3" : "v2";
        };
    }

    private boolean tensorCores(int d, boolean aligned) { return tensorCoreDim(d) && aligned && kernels != AttentionKernels.V1; }

    private static boolean aligned16(Tensor... ts) {
        for (Tensor t : ts) if ((address(t) & 15) != 0) return false;
        return true;
    }

    // ------------------------------------------------------------------ kernel limits (the contract is OpChecks')

    private static void headDim(String op, int d) {
        if (d % 8 != 0 || d > 128 || d == 0)
            throw new UnsupportedOperationException(op + ": head dim " + d
                    + " is not supported by the CUDA attention kernels (a multiple of 8, at most 128)");
    }

    private static void segments(String op, AttentionSpec spec) {
        if (spec.segments() > 65535)
            throw new UnsupportedOperationException(op + ": " + spec.segments() + " segments exceed the grid's 65535");
    }

    /** cu_q at offset 0 and cu_k at offset S+1 of one device I32 tensor. */
    private Tensor cuSeqlens(AttentionSpec spec) {
        return specs.get(spec, s -> {
            int n = s.segments() + 1;
            int[] both = new int[2 * n];
            System.arraycopy(s.cuSeqlensQ(), 0, both, 0, n);
            System.arraycopy(s.cuSeqlensK(), 0, both, n, n);
            try (Tensor h = Tensor.ofInts(both, 2 * n)) {
                return cx.upload(h);
            }
        });
    }

    // ------------------------------------------------------------------ forward

    void forward(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        String op = "attention";
        int[] h = cx.checks().attention(q, k, v, spec, out, lse); // {Hq, Hkv, D}
        int hq = h[0], hkv = h[1], d = h[2], nq = q.dim(0), segs = spec.segments(), maxLq = spec.maxSeqlenQ();
        headDim(op, d);
        segments(op, spec);
        if (nq == 0 || maxLq == 0) return;
        Tensor cu = cuSeqlens(spec);
        long cuq = address(cu), cuk = cuq + 4L * (segs + 1);
        String variant = forwardVariant(d, aligned16(q, k, v, out));
        int warps = variant.equals("v3") ? 8 : 4, rows = variant.equals("v1") ? 4 : 16 * warps;
        String name = variant.equals("v1") ? "pm_attn_fwd_v1_bf16" : "pm_attn_fwd_" + variant + "_d" + d + "_bf16";
        int smem = variant.equals("v1") ? 0 : fwdSmem(d, warps);
        cx.kernel(name).ptr(address(q)).ptr(address(k)).ptr(address(v)).ptr(cuq).ptr(cuk).ptr(address(out))
                .ptr(address(lse)).i32(nq).i32(hq).i32(hkv).i32(d).i32(spec.causal() ? 1 : 0).f32(spec.scale())
                .launch3d(cdiv(maxLq, rows), hq, segs, 32 * warps, smem, cx.stream());
    }

    // ------------------------------------------------------------------ backward

    void backward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                  Tensor dq, Tensor dk, Tensor dv) {
        String op = "attentionBackward";
        int[] h = cx.checks().attentionBackward(q, k, v, out, lse, dout, spec, dq, dk, dv); // {Hq, Hkv, D}
        int hq = h[0], hkv = h[1], d = h[2], nq = q.dim(0), segs = spec.segments();
        int maxLq = spec.maxSeqlenQ(), maxLk = spec.maxSeqlenK();
        headDim(op, d);
        segments(op, spec);
        if (nq == 0 && k.dim(0) == 0) return;
        Tensor cu = cuSeqlens(spec);
        long cuq = address(cu), cuk = cuq + 4L * (segs + 1);
        boolean tc = tensorCores(d, aligned16(q, k, v, out, dout, dq, dk, dv));
        int causal = spec.causal() ? 1 : 0;
        try (Tensor delta = cx.scratch((long) hq * nq)) { // (Hq, Nq) rowsum(dout ∘ out)
            if (nq > 0)
                cx.kernel("pm_attn_bwd_prep_bf16").ptr(address(out)).ptr(address(dout)).ptr(address(delta)).i32(nq).i32(hq)
                        .i32(d).launch3d(cdiv((long) nq * hq, 8), 1, 1, 256, 0, cx.stream());
            if (maxLq > 0)
                cx.kernel(tc ? "pm_attn_bwd_dq_v2_d" + d + "_bf16" : "pm_attn_bwd_dq_v1_bf16").ptr(address(q)).ptr(address(k))
                        .ptr(address(v)).ptr(address(dout)).ptr(address(lse)).ptr(address(delta)).ptr(cuq).ptr(cuk)
                        .ptr(address(dq)).i32(nq).i32(hq).i32(hkv).i32(d).i32(causal).f32(spec.scale())
                        .launch3d(cdiv(maxLq, tc ? 64 : 4), hq, segs, 128, tc ? dqSmem(d) : 0, cx.stream());
            if (maxLk > 0)
                cx.kernel(tc ? "pm_attn_bwd_dkdv_v2_d" + d + "_bf16" : "pm_attn_bwd_dkdv_v1_bf16").ptr(address(q))
                        .ptr(address(k)).ptr(address(v)).ptr(address(dout)).ptr(address(lse)).ptr(address(delta)).ptr(cuq)
                        .ptr(cuk).ptr(address(dk)).ptr(address(dv)).i32(nq).i32(hq).i32(hkv).i32(d).i32(causal)
                        .f32(spec.scale()).launch3d(cdiv(maxLk, tc ? 64 : 4), hkv, segs, 128, tc ? dkdvSmem(d) : 0, cx.stream());
        }
    }

    // ------------------------------------------------------------------ decode

    void decode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lens, float scale, Tensor out) {
        String op = "attentionDecode";
        int[] h = cx.checks().attentionDecode(q, kCache, vCache, slots, lens, out); // {Hq, Hkv, D, Lmax, S}
        int b = q.dim(0), hq = h[0], hkv = h[1], d = h[2], lmax = h[3];
        headDim(op, d);
        if (b == 0) return;
        if (b > 65535) throw new UnsupportedOperationException(op + ": batch " + b + " exceeds the grid's 65535");
        // one upload per distinct (lengths, slots): [lengths (B) | slots (B)]
        int[] meta = java.util.Arrays.copyOf(lens, 2 * b);
        System.arraycopy(slots != null ? slots : OpChecks.identitySlots(b), 0, meta, b, b);
        Tensor dmeta = lengths.get(new MetadataCache.Ints(meta), key -> {
            try (Tensor t = Tensor.ofInts(key.values(), key.values().length)) {
                return cx.upload(t);
            }
        });
        long dlen = address(dmeta), dslots = dlen + 4L * b;
        int maxLen = 0;
        for (int l : lens) maxLen = Math.max(maxLen, Math.min(l, lmax));
        if (!tensorCores(d, aligned16(q, kCache, vCache, out))) {
            cx.kernel("pm_decode_attn_v1_bf16").ptr(address(q)).ptr(address(kCache)).ptr(address(vCache)).ptr(dslots).ptr(dlen)
                    .ptr(address(out)).i32(lmax).i32(hq).i32(hkv).i32(d).f32(scale).launch3d(hq, b, 1, 32, 0, cx.stream());
            return;
        }
        int[] plan = decodePlan(b, hq, hkv, maxLen, cx.multiprocessors());
        int nsplit = plan[0], chunk = plan[1];
        long groups = (long) hkv * cdiv(hq / hkv, DECODE_GB);
        try (Tensor oPart = cx.scratch((long) b * hq * nsplit * d); Tensor lsePart = cx.scratch((long) b * hq * nsplit)) {
            cx.kernel("pm_decode_attn_split_d" + d + "_bf16").ptr(address(q)).ptr(address(kCache)).ptr(address(vCache))
                    .ptr(dslots).ptr(dlen).ptr(address(oPart)).ptr(address(lsePart)).i32(lmax).i32(hq).i32(hkv).i32(d)
                    .i32(nsplit).i32(chunk).f32(scale).launch3d(nsplit, groups, b, 128, 0, cx.stream());
            cx.kernel("pm_decode_attn_combine_bf16").ptr(address(oPart)).ptr(address(lsePart)).ptr(address(out)).i32(hq)
                    .i32(nsplit).i32(d).launch3d(hq, b, 1, 128, 0, cx.stream());
        }
    }

    @Override
    public void close() {
        specs.close();
        lengths.close();
    }
}

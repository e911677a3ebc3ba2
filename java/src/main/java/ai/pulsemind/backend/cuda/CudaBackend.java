package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.logging.Logger;

/**
 * The CUDA backend: the op table on device tensors, with hand-written kernels ({@code cuda-kernels/}) and
 * cuBLASLt, all issued in order on one stream. This class only dispatches: each op enters the device's context
 * and hands its arguments to the launcher of its family ({@link MemoryLaunch}, {@link GemmLaunch},
 * {@link ElementwiseLaunch}, {@link ReduceLaunch}, {@link NormLaunch}, {@link RopeLaunch}, {@link AttentionLaunch},
 * {@link LogprobLaunch}, {@link SamplingLaunch}, {@link RowsLaunch}, {@link OptimLaunch}), which checks them against
 * the shared contract with {@link CudaDtypes} and launches through the {@link LaunchContext} they share.
 *
 * <p>Dtypes ({@link CudaDtypes}: bf16 activations, f32 accumulation and statistics, f32 master
 * weights): floating operands are F32 or BF16, the same within an op; row statistics (rstd, mean), rotary tables,
 * scalar sums and parameter gradients that accumulate across steps ({@code dw}, {@code db}, the embedding table
 * gradient) are F32. {@link #matmul} takes bf16 or f32 operands with an f32 or same-dtype output; {@link #axpy}
 * mixes dtypes. Attention ({@code flash_attention.cu}, {@code decode_attention.cu}) takes BF16 q, k, v, outputs and
 * gradients with F32 log-sum-exps; the fused log-prob BF16 hidden and head weight with F32 targets' log-probs and
 * log-sum-exps, F32 or BF16 gradients; sampling and argmax F32 logits. {@link #computeDtype()} is BF16: models keep
 * weights, activations and KV caches in bf16 here.
 *
 * <p>Threading: one thread at a time (like the stream itself); any thread may be that one, the context follows.
 * Index errors inside kernels (an embedding id out of range) are raised at the next synchronisation point
 * ({@link #synchronize()}, a copy to the host) as an {@link IndexOutOfBoundsException} naming the position.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = Logger.getLogger(CudaBackend.class.getName());

    private final LaunchContext cx;
    private final MemoryLaunch memory;
    private final ElementwiseLaunch elementwise;
    private final ReduceLaunch reduce;
    private final NormLaunch norms;
    private final RopeLaunch rope;
    private final GemmLaunch gemm;
    private final AttentionLaunch attention;
    private final LogprobLaunch logprobs;
    private final SamplingLaunch sampling;
    private final RowsLaunch rows;
    private final OptimLaunch optim;
    private final CudaDiagnostics diagnostics;

    CudaBackend(CudaRuntime rt, int ordinal) {
        this.cx = new LaunchContext(rt, ordinal);
        this.memory = new MemoryLaunch(cx);
        this.elementwise = new ElementwiseLaunch(cx);
        this.reduce = new ReduceLaunch(cx, memory);
        this.norms = new NormLaunch(cx, reduce);
        this.rope = new RopeLaunch(cx);
        this.gemm = new GemmLaunch(cx, memory, elementwise);
        this.attention = new AttentionLaunch(cx);
        this.logprobs = new LogprobLaunch(cx, gemm, memory);
        this.sampling = new SamplingLaunch(cx);
        this.rows = new RowsLaunch(cx);
        this.optim = new OptimLaunch(cx);
        this.diagnostics = new CudaDiagnostics(cx, logprobs);
        LOG.fine(() -> "cuda backend on " + describe());
    }

    @Override public String name() { return "cuda"; }

    @Override public Device device() { return cx.device(); }

    /** BF16: weights, activations and KV caches in bf16, statistics and accumulations in f32. */
    @Override public DType computeDtype() { return DType.BF16; }

    /**
     * Chooses the attention kernels ({@link AttentionKernels#AUTO} by default): {@link AttentionKernels#V1} runs
     * the plain scalar kernels, to tell a kernel bug from a model bug.
     */
    public void useAttentionKernels(AttentionKernels k) { attention.use(k); }

    public AttentionKernels attentionKernels() { return attention.kernels(); }

    /**
     * Device memory the fused log-prob may use for its (N, chunk) slabs of chunk logits (f32) and their gradients
     * (bf16): 192 MiB by default, 1/12 of the bf16 logits of 8192 tokens over Qwen's 151,936 ids. Smaller budgets
     * mean more, smaller GEMMs (at least 128 vocabulary columns each).
     */
    public void logprobScratchBytes(long bytes) { logprobs.scratchBytes(bytes); }

    /** Uploads of attention specs' cu_seqlens so far (one per distinct spec while it stays cached). */
    long specUploads() { return attention.specUploads(); }

    /** e.g. "cuda:0 NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.2 GiB, driver CUDA 13.0". */
    public String describe() {
        CudaContext.DeviceInfo info = cx.info();
        return cx.device() + " " + info.name() + ", sm_" + info.ccMajor() + info.ccMinor() + ", " + info.multiprocessors()
                + " SMs, " + MemoryStats.human(info.totalMemory()) + ", driver CUDA " + info.driverCuda();
    }

    /** Device figures, event timing, raw copies and launch plans, for benchmarks and diagnostics. */
    public CudaDiagnostics diagnostics() { return diagnostics; }

    CudaContext.DeviceInfo info() { return cx.info(); }

    CudaDriver driver() { return cx.driver(); }

    int multiprocessors() { return cx.multiprocessors(); }

    /** The stream this backend issues work on. */
    public CudaStream stream() { return cx.stream(); }

    /**
     * Issues all further work on {@code s} (e.g. a stream another library created, see {@link JCudaInterop}).
     * Work already queued on the previous stream is finished first, so ordering and memory reuse stay safe.
     */
    public void useStream(CudaStream s) {
        cx.enter();
        cx.useStream(s);
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor empty(DType dtype, Shape shape) {
        cx.enter();
        return cx.empty(dtype, shape);
    }

    /**
     * A tensor over device memory owned elsewhere (another CUDA library's buffer), zero-copy; closing it does
     * not free the memory. The memory must be on this backend's device and stay valid while the tensor is used.
     */
    public Tensor wrap(long address, long bytes, DType dtype, Shape shape) {
        if (address == 0) throw new IllegalArgumentException("wrap: null device pointer");
        if (bytes < shape.numel() * dtype.byteSize())
            throw new IllegalArgumentException("wrap: " + bytes + " bytes cannot hold " + dtype + shape);
        return Tensor.owning(new CudaStorage(cx.device(), address, bytes, null), dtype, shape);
    }

    /** The device address of {@code t}'s first element (its storage's address plus its offset). */
    public static long address(Tensor t) { return LaunchContext.address(t); }

    @Override
    public void fill(Tensor dst, float value) {
        cx.enter();
        memory.fill(dst, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        cx.enter();
        memory.copy(src, dst);
    }

    @Override
    public void convert(Tensor src, Tensor dst) {
        cx.enter();
        memory.convert(src, dst);
    }

    @Override
    public void synchronize() {
        cx.enter();
        cx.synchronize();
    }

    @Override public MemoryStats memoryStats() { return cx.allocator().stats(); }

    /** The caching allocator, for its statistics and {@link DeviceAllocator#trim()}. */
    public DeviceAllocator allocator() { return cx.allocator(); }

    /** {free, total} device memory as the driver sees it (all processes). */
    public long[] deviceMemory() {
        cx.enter();
        return cx.driver().memGetInfo();
    }

    /** Pinned host memory for fast transfers; the caller closes it. */
    public PinnedBuffer pinned(long bytes) {
        cx.enter();
        return new PinnedBuffer(cx.driver(), bytes);
    }

    @Override
    public void close() {
        if (cx.isClosed()) return;
        cx.enter();
        try {
            cx.stream().synchronize();
        } finally {
            rope.close();
            attention.close();
            sampling.close();
            gemm.close();
            cx.close();
        }
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public void matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, float alpha, float beta) {
        cx.enter();
        gemm.matmul(a, ta, b, tb, c, alpha, beta);
    }

    /**
     * {@code c = op(a)·op(b) + bias}: the linear layer, with the bias added in cuBLASLt's epilogue (one pass over
     * c instead of two). bias (N) has c's dtype.
     */
    public void matmulBias(Tensor a, boolean ta, Tensor b, boolean tb, Tensor bias, Tensor c) {
        cx.enter();
        gemm.matmulBias(a, ta, b, tb, bias, c);
    }

    // ------------------------------------------------------------------ elementwise and reductions

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        cx.enter();
        elementwise.binary("add", a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        cx.enter();
        elementwise.binary("mul", a, b, out);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        cx.enter();
        elementwise.scale(x, s, out);
    }

    /** {@code y += alpha * x}; x and y may differ in dtype (F32 or BF16 each), e.g. a bf16 gradient into f32. */
    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        cx.enter();
        elementwise.axpy(alpha, x, y);
    }

    /** x (R, C) F32 or BF16 → out (C) F32; two stages with a fixed number of row chunks (repeatable sums). */
    @Override
    public void sumRows(Tensor x, Tensor out) {
        cx.enter();
        reduce.sumRows(x, out);
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        cx.enter();
        reduce.sum(x, out);
    }

    /** The sampler's greedy path (temperature 0): lowest index on ties; NaN counts as −∞. */
    @Override
    public void argmax(Tensor x, Tensor out) {
        cx.enter();
        sampling.argmax(x, out);
    }

    // ------------------------------------------------------------------ activations

    @Override
    public void silu(Tensor x, Tensor out) {
        cx.enter();
        elementwise.silu(x, out);
    }

    @Override
    public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        cx.enter();
        elementwise.siluBackward(x, dout, dx);
    }

    @Override
    public void gelu(Tensor x, boolean tanhApprox, Tensor out) {
        cx.enter();
        elementwise.gelu(x, tanhApprox, out);
    }

    @Override
    public void geluBackward(Tensor x, boolean tanhApprox, Tensor dout, Tensor dx) {
        cx.enter();
        elementwise.geluBackward(x, tanhApprox, dout, dx);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        cx.enter();
        elementwise.swiglu(gate, up, out);
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup) {
        cx.enter();
        elementwise.swigluBackward(gate, up, dout, dgate, dup);
    }

    // ------------------------------------------------------------------ norms and softmax

    @Override
    public void rmsnorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd) {
        cx.enter();
        norms.rmsnorm(x, w, eps, out, rstd);
    }

    @Override
    public void rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw) {
        cx.enter();
        norms.rmsnormBackward(x, w, rstd, dout, dx, dw);
    }

    @Override
    public void layernorm(Tensor x, Tensor w, Tensor b, float eps, Tensor out, Tensor mean, Tensor rstd) {
        cx.enter();
        norms.layernorm(x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db) {
        cx.enter();
        norms.layernormBackward(x, w, mean, rstd, dout, dx, dw, db);
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        cx.enter();
        norms.softmax(x, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        cx.enter();
        norms.softmaxBackward(y, dy, dx);
    }

    // ------------------------------------------------------------------ rotary

    @Override
    public void ropeTable(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin) {
        cx.enter();
        rope.table(spec, positions, cos, sin);
    }

    @Override
    public void rope(Tensor x, Tensor cos, Tensor sin, Tensor out) {
        cx.enter();
        rope.rotate("rope", x, cos, sin, out, 1f);
    }

    @Override
    public void ropeBackward(Tensor dout, Tensor cos, Tensor sin, Tensor dx) {
        cx.enter();
        rope.rotate("ropeBackward", dout, cos, sin, dx, -1f);
    }

    // ------------------------------------------------------------------ attention and log-prob

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        cx.enter();
        attention.forward(q, k, v, spec, out, lse);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                                  Tensor dq, Tensor dk, Tensor dv) {
        cx.enter();
        attention.backward(q, k, v, out, lse, dout, spec, dq, dk, dv);
    }

    /** Split-K decode (flash-decoding); {@code lengths} and {@code slots} go to the device once per distinct pair. */
    @Override
    public void attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lengths, float scale, Tensor out) {
        cx.enter();
        attention.decode(q, kCache, vCache, slots, lengths, scale, out);
    }

    @Override
    public void logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        cx.enter();
        logprobs.forward(hidden, weight, targets, temperature, logp, lse);
    }

    @Override
    public void logprobBackward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                                Tensor dhidden, Tensor dweight) {
        cx.enter();
        logprobs.backward(hidden, weight, targets, temperature, lse, dlogp, dhidden, dweight);
    }

    // ------------------------------------------------------------------ sampling

    /** {@code sampling.cu}: one block of 1024 threads per row; previous ids as CSR over the rows of prevIds. */
    @Override
    public void sample(Tensor logits, java.util.List<ai.pulsemind.backend.SampleRow> rows, Tensor prevIds, Tensor out) {
        cx.enter();
        sampling.sample(logits, rows, prevIds, out);
    }

    // ------------------------------------------------------------------ gathers and patches

    @Override
    public void gatherRows(Tensor table, Tensor idx, Tensor out) {
        cx.enter();
        rows.gatherRows(table, idx, out);
    }

    /** src (N, C) F32 or BF16 into dst (V, C) F32, rows added in n order (the reference's order, bit for bit). */
    @Override
    public void scatterAddRows(Tensor src, Tensor idx, Tensor dst) {
        cx.enter();
        rows.scatterAddRows(src, idx, dst);
    }

    @Override
    public void extractPatches(Tensor frames, PatchSpec spec, Tensor patches) {
        cx.enter();
        rows.patches("extractPatches", frames, spec, patches, 0);
    }

    @Override
    public void foldPatches(Tensor patches, PatchSpec spec, Tensor frames) {
        cx.enter();
        rows.patches("foldPatches", frames, spec, patches, 1);
    }

    // ------------------------------------------------------------------ optimiser

    /**
     * One fused AdamW step on f32 master weights and moments; {@code grad} F32 or BF16. When {@code paramBf16}
     * is given, the updated parameter is also written there in bf16 (the copy the forward pass reads), in the
     * same pass.
     */
    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp, Tensor paramBf16) {
        cx.enter();
        optim.adamw(param, grad, m, v, hp, paramBf16);
    }
}

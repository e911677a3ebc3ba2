package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.backend.PatchSpec;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.backend.SamplingParams;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

import static ai.pulsemind.backend.OpChecks.ready;
import static ai.pulsemind.backend.OpChecks.sameShape;
import static ai.pulsemind.backend.OpChecks.shape;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The CUDA backend: the op table on device tensors, with hand-written kernels ({@code cuda-kernels/}) and
 * cuBLASLt, all issued in order on one stream.
 *
 * <p>Dtypes (DESIGN §4: bf16 activations, f32 accumulation and statistics, f32 master weights): floating
 * operands are F32 or BF16, the same within an op; row statistics (rstd, mean), rotary tables, scalar sums and
 * parameter gradients that accumulate across steps ({@code dw}, {@code db}, the embedding table gradient) are
 * F32. {@link #matmul} takes bf16 or f32 operands with an f32 or same-dtype output; {@link #axpy} mixes dtypes.
 *
 * <p>Threading: one thread at a time (like the stream itself); any thread may be that one, the context follows.
 * Index errors inside kernels (an embedding id out of range) are raised at the next synchronisation point
 * ({@link #synchronize()}, a copy to the host) as an {@link IndexOutOfBoundsException} naming the position.
 *
 * <p>Attention ({@code flash_attention.cu}, {@code decode_attention.cu}) takes BF16 q, k, v, outputs and gradients
 * with F32 log-sum-exps; the fused log-prob BF16 hidden and head weight with F32 targets' log-probs and
 * log-sum-exps, F32 or BF16 gradients; sampling and argmax F32 logits. {@link #computeDtype()} is BF16: models keep
 * weights, activations and KV caches in bf16 here.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = Logger.getLogger(CudaBackend.class.getName());
    private static final int THREADS = 256;
    /** Fixed partial counts keep reduction orders independent of the device (bitwise repeatable results). */
    private static final int SUM_PARTIALS = 512, ROW_CHUNKS = 64, NORM_CHUNKS = 256;

    private final CudaRuntime rt;
    private final CudaDriver d;
    private final Device dev;
    private final CudaContext ctx;
    private final CudaContext.DeviceInfo info;
    private final DeviceAllocator alloc;
    private final KernelModules modules;
    private final Arena arena = Arena.ofShared();
    private final KernelCall call;
    private final MemorySegment errorHost = arena.allocate(24, 8);
    private final MemorySegment strided = arena.allocate(8 * 27, 8);
    private final MemorySegment adamwArgs = arena.allocate(7 * 4, 4); // struct AdamW in adamw.cu
    private final Map<RopeSpec, Tensor[]> ropeSpecs = new HashMap<>();
    private final ReferenceBackend host = new ReferenceBackend();
    private final AttentionLaunch attention = new AttentionLaunch(this);
    private final LogprobLaunch logprobs = new LogprobLaunch(this);
    private final SamplingLaunch sampling = new SamplingLaunch(this);
    private CudaStream ownStream, stream;
    private CublasMatmul blas;
    private long errorWord;
    private boolean closed;

    CudaBackend(CudaRuntime rt, int ordinal) {
        this.rt = rt;
        this.d = rt.driver();
        this.dev = Device.cuda(ordinal);
        this.ctx = new CudaContext(d, ordinal);
        this.info = ctx.info();
        this.alloc = new DeviceAllocator(new DriverSource(d));
        this.modules = new KernelModules(d, rt.kernels());
        this.call = new KernelCall(d, modules, arena);
        this.ownStream = new CudaStream(d);
        this.stream = ownStream;
        this.errorWord = alloc.allocate(24);
        d.memsetAsync(errorWord, 4, 0, 6, stream.segment());
        LOG.fine(() -> "cuda backend on " + describe());
    }

    /** cuMemAlloc / cuMemFree, with out-of-memory as 0 so the allocator can release its cache and retry. */
    private record DriverSource(CudaDriver d) implements DeviceAllocator.Source {
        @Override public long allocate(long bytes) { return d.memAlloc(bytes); }

        @Override public void free(long address) { d.memFree(address); }
    }

    @Override public String name() { return "cuda"; }

    @Override public Device device() { return dev; }

    /** BF16: weights, activations and KV caches in bf16, statistics and accumulations in f32 (DESIGN §4). */
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
        return dev + " " + info.name() + ", sm_" + info.ccMajor() + info.ccMinor() + ", " + info.multiprocessors()
                + " SMs, " + MemoryStats.human(info.totalMemory()) + ", driver CUDA " + info.driverCuda();
    }

    CudaContext.DeviceInfo info() { return info; }

    CudaDriver driver() { return d; }

    /** The stream this backend issues work on. */
    public CudaStream stream() { return stream; }

    /**
     * Issues all further work on {@code s} (e.g. a stream another library created, see {@link JCudaInterop}).
     * Work already queued on the previous stream is finished first, so ordering and memory reuse stay safe.
     */
    public void useStream(CudaStream s) {
        enter();
        stream.synchronize();
        stream = s == null ? ownStream : s;
    }

    private void enter() {
        if (closed) throw new IllegalStateException("the cuda backend was closed");
        ctx.makeCurrent();
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor empty(DType dtype, Shape shape) {
        enter();
        long bytes = Math.max(1, shape.numel() * dtype.byteSize());
        return Tensor.owning(new CudaStorage(dev, alloc.allocate(bytes), bytes, alloc), dtype, shape);
    }

    /**
     * A tensor over device memory owned elsewhere (another CUDA library's buffer), zero-copy; closing it does
     * not free the memory. The memory must be on this backend's device and stay valid while the tensor is used.
     */
    public Tensor wrap(long address, long bytes, DType dtype, Shape shape) {
        if (address == 0) throw new IllegalArgumentException("wrap: null device pointer");
        if (bytes < shape.numel() * dtype.byteSize())
            throw new IllegalArgumentException("wrap: " + bytes + " bytes cannot hold " + dtype + shape);
        return Tensor.owning(new CudaStorage(dev, address, bytes, null), dtype, shape);
    }

    /** The device address of {@code t}'s first element (its storage's address plus its offset). */
    public static long address(Tensor t) {
        if (!(t.storage() instanceof CudaStorage cs))
            throw new IllegalArgumentException(t + " is not a CUDA tensor");
        return cs.address() + t.byteOffset();
    }

    private static long ptr(Tensor t) { return t == null ? 0 : address(t); }

    @Override
    public void fill(Tensor dst, float value) {
        enter();
        ready("fill", dev, dst);
        long a = ptr(dst), n = dst.numel();
        if (n == 0) return;
        switch (dst.dtype()) {
            case F32 -> d.memsetAsync(a, 4, Float.floatToRawIntBits(value), n, stream.segment());
            case BF16 -> d.memsetAsync(a, 2, Half.floatToBf16(value), n, stream.segment());
            case F16 -> d.memsetAsync(a, 2, Float.floatToFloat16(value), n, stream.segment());
            case I32 -> d.memsetAsync(a, 4, (int) value, n, stream.segment());
            case I64 -> launch1d(call.start("pm_fill_b64").ptr(a).i64((long) value).i64(n), n);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        enter();
        src.checkAlive("copy");
        dst.checkAlive("copy");
        sameShape("copy", src, dst);
        if (src.dtype() != dst.dtype())
            throw new IllegalArgumentException("copy: dtypes differ (" + src.dtype() + " → " + dst.dtype() + "); use convert");
        for (Tensor t : new Tensor[] {src, dst})
            if (!t.device().isHost() && !t.device().equals(dev))
                throw new IllegalArgumentException("copy: " + t + " is on " + t.device() + ", this backend runs on " + dev);
        if (src.numel() == 0) return;
        if (src.device().isHost() && dst.device().isHost()) {
            host.copy(src, dst);
        } else if (src.device().isHost()) {
            Tensor s = src.isContiguous() ? src : contiguousHost(src);
            if (dst.isContiguous()) {
                d.memcpyHtoDAsync(ptr(dst), s.segment(), s.byteSize(), stream.segment());
            } else {
                try (Tensor tmp = upload(s)) {
                    deviceCopy(tmp, dst);
                }
            }
            if (s != src) s.close();
        } else if (dst.device().isHost()) {
            Tensor s = src.isContiguous() ? src : deviceContiguous(src);
            if (dst.isContiguous()) {
                d.memcpyDtoHAsync(dst.segment(), ptr(s), s.byteSize(), stream.segment());
                synchronize();
            } else {
                try (Tensor tmp = Tensor.hostEmpty(src.dtype(), src.shape())) {
                    d.memcpyDtoHAsync(tmp.segment(), ptr(s), s.byteSize(), stream.segment());
                    synchronize();
                    host.copy(tmp, dst);
                }
            }
            if (s != src) s.close();
        } else {
            deviceCopy(src, dst);
        }
    }

    private static Tensor contiguousHost(Tensor t) {
        Tensor c = Tensor.hostEmpty(t.dtype(), t.shape());
        new ReferenceBackend().copy(t, c);
        return c;
    }

    private Tensor deviceContiguous(Tensor t) {
        Tensor c = empty(t.dtype(), t.shape());
        deviceCopy(t, c);
        return c;
    }

    /** Device to device, either side strided (rank ≤ 8): a memcpy when both are contiguous, else a kernel. */
    private void deviceCopy(Tensor src, Tensor dst) {
        if (src.isContiguous() && dst.isContiguous()) {
            d.memcpyDtoDAsync(ptr(dst), ptr(src), src.byteSize(), stream.segment());
            return;
        }
        int rank = src.rank();
        if (rank > 8) throw new IllegalArgumentException("copy: strided copies support rank <= 8, got " + src.shape());
        MemorySegment st = strided; // struct Strided in convert.cu: 3 x long long[8], 2 long longs, int (+ pad)
        st.fill((byte) 0);
        long[] ss = src.strides(), ds = dst.strides();
        for (int i = 0; i < rank; i++) {
            st.setAtIndex(JAVA_LONG, i, src.dim(i));
            st.setAtIndex(JAVA_LONG, 8 + i, ss[i]);
            st.setAtIndex(JAVA_LONG, 16 + i, ds[i]);
        }
        // base pointers are the storages' first bytes; offsets travel in elements
        st.setAtIndex(JAVA_LONG, 24, src.offset());
        st.setAtIndex(JAVA_LONG, 25, dst.offset());
        st.set(JAVA_INT, 8 * 26, rank);
        long base = ((CudaStorage) src.storage()).address(), dbase = ((CudaStorage) dst.storage()).address();
        String k = "pm_strided_copy_b" + src.dtype().byteSize();
        launch1d(call.start(k).ptr(base).ptr(dbase).i64(src.numel()).struct(st), src.numel());
    }

    @Override
    public void convert(Tensor src, Tensor dst) {
        enter();
        ready("convert", dev, src, dst);
        sameShape("convert", src, dst);
        if (src.numel() == 0) return;
        if (src.dtype() == dst.dtype()) {
            deviceCopy(src, dst);
            return;
        }
        String k = "pm_convert_" + KernelNames.suffix(src.dtype()) + "_" + KernelNames.suffix(dst.dtype());
        launch1d(call.start(k).ptr(ptr(src)).ptr(ptr(dst)).i64(src.numel()), (src.numel() + 7) / 8);
    }

    @Override
    public void synchronize() {
        enter();
        stream.synchronize();
        checkDeviceErrors();
    }

    /** Raises (and clears) an error a kernel recorded in the device error word (see common.cuh). */
    private void checkDeviceErrors() {
        d.memcpyDtoH(errorHost, errorWord, 24);
        int code = errorHost.get(JAVA_INT, 0);
        if (code == 0) return;
        long position = errorHost.get(JAVA_LONG, 8), value = errorHost.get(JAVA_LONG, 16);
        d.memsetAsync(errorWord, 4, 0, 6, stream.segment());
        stream.synchronize();
        throw switch (code) {
            case KernelNames.ERR_GATHER_INDEX -> new IndexOutOfBoundsException("gatherRows: index " + value + " at position "
                    + position + " is outside the table (the row was left unwritten)");
            case KernelNames.ERR_SCATTER_INDEX -> new IndexOutOfBoundsException("scatterAddRows: index " + value
                    + " at position " + position + " is outside the table (the row was skipped)");
            case KernelNames.ERR_VERDICT -> new IllegalArgumentException("crpoAdvantage: verdict " + value + " at flat index "
                    + position + " is not one of WIN 2, TIE 1, LOSS 0, MISSING -1");
            default -> new CudaException("a kernel reported error code " + code + " at " + position);
        };
    }

    @Override public MemoryStats memoryStats() { return alloc.stats(); }

    /** The caching allocator, for its statistics and {@link DeviceAllocator#trim()}. */
    public DeviceAllocator allocator() { return alloc; }

    /** {free, total} device memory as the driver sees it (all processes). */
    public long[] deviceMemory() {
        enter();
        return d.memGetInfo();
    }

    /** Pinned host memory for fast transfers; the caller closes it. */
    public PinnedBuffer pinned(long bytes) {
        enter();
        return new PinnedBuffer(d, bytes);
    }

    @Override
    public void close() {
        if (closed) return;
        enter();
        try {
            stream.synchronize();
        } finally {
            closed = true;
            for (Tensor[] t : ropeSpecs.values()) for (Tensor x : t) x.close();
            attention.close();
            sampling.close();
            if (blas != null) blas.close();
            alloc.free(errorWord);
            long left = alloc.stats().inUse();
            if (left > 0)
                LOG.warning("cuda backend closed with " + MemoryStats.human(left) + " still held by open tensors;"
                        + " that memory is reclaimed with the context");
            modules.close();
            ownStream.close();
            alloc.close();
            arena.close();
            ctx.close();
        }
    }

    // ------------------------------------------------------------------ launch geometry

    /**
     * A grid-stride launch over {@code work} items: as many 256-thread blocks as the device holds at once (the
     * occupancy calculator's blocks per SM × SMs), fewer when there is less work; each thread then loops.
     */
    private void launch1d(KernelCall c, long work) {
        long resident = (long) info.multiprocessors() * modules.blocksPerSm(c.kernel(), THREADS);
        long blocks = Math.max(1, Math.min((work + THREADS - 1) / THREADS, resident));
        c.launch(blocks, 1, THREADS, 0, stream);
    }

    /** Starts packing a launch of {@code kernel} (for the part-2 launchers beside this class). */
    KernelCall kernel(String name) {
        enter();
        return call.start(name);
    }

    int multiprocessors() { return info.multiprocessors(); }

    /** Threads for a one-block-per-row kernel: one per pack of the row, a multiple of 32, at most 1024. */
    private static int rowBlock(int cols, int width) {
        int packs = (cols + width - 1) / width;
        return Math.min(1024, Math.max(32, (packs + 31) / 32 * 32));
    }

    private static boolean aligned(Tensor... ts) {
        for (Tensor t : ts) if (t != null && (address(t) & 15) != 0) return false;
        return true;
    }

    /** Elements per 16-byte pack. */
    private static int pack(DType t) { return 16 / t.byteSize(); }

    // ------------------------------------------------------------------ checks

    /** All floating, the same dtype, F32 or BF16; returns the kernel suffix. */
    private String floating(String op, Tensor... ts) {
        ready(op, dev, ts);
        DType t = ts[0].dtype();
        if (t != DType.F32 && t != DType.BF16)
            throw new IllegalArgumentException(op + ": the CUDA backend computes on F32 or BF16, got " + ts[0]);
        for (Tensor x : ts)
            if (x != null && x.dtype() != t)
                throw new IllegalArgumentException(op + ": mixed dtypes " + t + " and " + x.dtype() + " (" + x + ")");
        return KernelNames.suffix(t);
    }

    private void f32(String op, Tensor... ts) {
        ready(op, dev, ts);
        OpChecks.f32(op, ts);
    }

    /** Uninitialised F32 scratch of at least one element. */
    Tensor scratch(long floats) { return empty(DType.F32, Shape.of((int) Math.max(1, floats))); }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public void matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, float alpha, float beta) {
        gemm("matmul", a, ta, b, tb, c, null, alpha, beta);
    }

    /**
     * {@code c = op(a)·op(b) + bias}: the linear layer, with the bias added in cuBLASLt's epilogue (one pass over
     * c instead of two). bias (N) has c's dtype.
     */
    public void matmulBias(Tensor a, boolean ta, Tensor b, boolean tb, Tensor bias, Tensor c) {
        ready("matmulBias", dev, bias);
        if (bias.dtype() != c.dtype()) throw new IllegalArgumentException("matmulBias: bias " + bias + " must have c's dtype " + c.dtype());
        shape("matmulBias", "bias", bias, Shape.of(c.dim(-1)));
        gemm("matmulBias", a, ta, b, tb, c, bias, 1f, 0f);
    }

    private void gemm(String op, Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, Tensor bias, float alpha, float beta) {
        enter();
        ready(op, dev, a, b, c);
        if (a.dtype() != b.dtype() || (a.dtype() != DType.F32 && a.dtype() != DType.BF16))
            throw new IllegalArgumentException(op + ": a and b must both be F32 or both BF16, got " + a.dtype() + " and " + b.dtype());
        if (c.dtype() != a.dtype() && c.dtype() != DType.F32)
            throw new IllegalArgumentException(op + ": c must be " + a.dtype() + " or F32, got " + c.dtype());
        int[] dm = OpChecks.matmul(a, ta, b, tb, c); // {B, M, N, K, Ba, Bb}
        int batch = dm[0], m = dm[1], n = dm[2], k = dm[3];
        if (m == 0 || n == 0 || batch == 0) return;
        if (k == 0) { // no products: c = beta * c (+ bias), which cuBLASLt does not accept
            if (beta == 0) fill(c, 0f);
            else scale(c, beta, c);
            if (bias != null) add(c, bias, c);
            return;
        }
        int at = cudaType(a.dtype()), ct = cudaType(c.dtype());
        if (batch == 1 || (dm[4] == batch && dm[5] == batch)) {
            blas().run(at, ct, new CublasMatmul.Shape(m, n, k, batch, ta, tb, (long) m * k, (long) k * n, (long) m * n),
                    ptr(a), ptr(b), ptr(c), ptr(bias), alpha, beta, stream);
        } else if (dm[5] == 1 && !ta) { // shared b (a weight): the batch is one tall GEMM
            blas().run(at, ct, new CublasMatmul.Shape(batch * m, n, k, 1, false, tb, 0, 0, 0), ptr(a), ptr(b), ptr(c),
                    ptr(bias), alpha, beta, stream);
        } else { // other broadcasts: one GEMM per batch entry, rather than rely on zero batch strides
            long es = a.dtype().byteSize(), cs = c.dtype().byteSize();
            CublasMatmul.Shape one = new CublasMatmul.Shape(m, n, k, 1, ta, tb, 0, 0, 0);
            for (int p = 0; p < batch; p++) {
                long ao = dm[4] == 1 ? 0 : p * (long) m * k * es, bo = dm[5] == 1 ? 0 : p * (long) k * n * es;
                blas().run(at, ct, one, ptr(a) + ao, ptr(b) + bo, ptr(c) + p * (long) m * n * cs, ptr(bias), alpha, beta, stream);
            }
        }
    }

    private CublasMatmul blas() {
        if (blas == null) {
            if (rt.blas() == null) throw new CudaException("matmul needs cuBLASLt, which was not found: " + rt.blasDetail());
            blas = new CublasMatmul(rt.blas(), alloc);
        }
        return blas;
    }

    private static int cudaType(DType t) {
        return switch (t) {
            case F32 -> CublasLt.CUDA_R_32F;
            case BF16 -> CublasLt.CUDA_R_16BF;
            case F16 -> CublasLt.CUDA_R_16F;
            default -> throw new IllegalArgumentException("no cuBLASLt type for " + t);
        };
    }

    // ------------------------------------------------------------------ elementwise and reductions

    @Override
    public void add(Tensor a, Tensor b, Tensor out) { binary("add", a, b, out); }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) { binary("mul", a, b, out); }

    private void binary(String op, Tensor a, Tensor b, Tensor out) {
        enter();
        String s = floating(op, a, b, out);
        OpChecks.broadcastSuffix(op, a, b);
        sameShape(op, a, out);
        long n = a.numel();
        if (n == 0) return;
        if (b.numel() == 0) throw new IllegalArgumentException(op + ": cannot broadcast an empty " + b.shape());
        launch1d(call.start("pm_" + op + "_" + s).ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(out)).i64(n).i64(b.numel()),
                n / pack(a.dtype()) + 1);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        enter();
        String t = floating("scale", x, out);
        sameShape("scale", x, out);
        long n = x.numel();
        if (n > 0) launch1d(call.start("pm_scale_" + t).ptr(ptr(x)).f32(s).ptr(ptr(out)).i64(n), n / pack(x.dtype()) + 1);
    }

    /** {@code y += alpha * x}; x and y may differ in dtype (F32 or BF16 each), e.g. a bf16 gradient into f32. */
    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        enter();
        ready("axpy", dev, x, y);
        sameShape("axpy", x, y);
        long n = x.numel();
        if (n > 0) launch1d(call.start("pm_axpy_" + floatSuffix("axpy", x) + "_" + floatSuffix("axpy", y)).f32(alpha)
                .ptr(ptr(x)).ptr(ptr(y)).i64(n), n / 4 + 1);
    }

    private static String floatSuffix(String op, Tensor t) {
        if (t.dtype() != DType.F32 && t.dtype() != DType.BF16)
            throw new IllegalArgumentException(op + ": " + t + " must be F32 or BF16");
        return KernelNames.suffix(t.dtype());
    }

    /** x (R, C) F32 or BF16 → out (C) F32; two stages with a fixed number of row chunks (repeatable sums). */
    @Override
    public void sumRows(Tensor x, Tensor out) {
        enter();
        String t = floating("sumRows", x);
        f32("sumRows", out);
        int cols = x.shape().last();
        long rows = x.shape().rows();
        shape("sumRows", "out", out, Shape.of(cols));
        if (cols == 0) return;
        if (rows == 0) {
            fill(out, 0f);
            return;
        }
        int chunks = (int) Math.min(rows, ROW_CHUNKS);
        try (Tensor partials = scratch((long) chunks * cols)) {
            call.start("pm_sum_rows_partial_" + t).ptr(ptr(x)).i64(rows).i32(cols).ptr(ptr(partials))
                    .launch2d((cols + 31) / 32, chunks, 32, 8, stream);
            reduceChunks(partials, chunks, cols, out, false);
        }
    }

    /** out[c] (+)= Σ_k partials[k, c], k in order. */
    private void reduceChunks(Tensor partials, int chunks, int cols, Tensor out, boolean accumulate) {
        launch1d(call.start("pm_reduce_chunks").ptr(ptr(partials)).i32(chunks).i32(cols).ptr(ptr(out)).i32(accumulate ? 1 : 0), cols);
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        enter();
        String t = floating("sum", x);
        f32("sum", out);
        if (out.numel() != 1) throw new IllegalArgumentException("sum: out must have one element, got " + out.shape());
        long n = x.numel();
        int parts = (int) Math.max(1, Math.min(SUM_PARTIALS, (n + THREADS - 1) / THREADS));
        try (Tensor partials = scratch(parts)) {
            call.start("pm_sum_partial_" + t).ptr(ptr(x)).i64(n).ptr(ptr(partials)).launch(parts, 1, THREADS, 0, stream);
            call.start("pm_sum_final").ptr(ptr(partials)).i32(parts).ptr(ptr(out)).launch(1, 1, 512, 0, stream);
        }
    }

    /**
     * The sampler's greedy path (temperature 0): x (R, C) F32 → out (R) I32, lowest index on ties. NaN counts as −∞
     * (the CPU reference compares raw floats, so the two differ only on rows holding NaN).
     */
    @Override
    public void argmax(Tensor x, Tensor out) {
        enter();
        sampling.argmax(x, out);
    }

    // ------------------------------------------------------------------ activations

    /** Launches a prepared pack-wise elementwise kernel over n elements of dtype t. */
    private void unary(long n, DType t, KernelCall c) {
        if (n > 0) launch1d(c, n / pack(t) + 1);
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        enter();
        String t = floating("silu", x, out);
        sameShape("silu", x, out);
        unary(x.numel(), x.dtype(), call.start("pm_silu_" + t).ptr(ptr(x)).ptr(ptr(out)).i64(x.numel()));
    }

    @Override
    public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        enter();
        String t = floating("siluBackward", x, dout, dx);
        sameShape("siluBackward", x, dout);
        sameShape("siluBackward", x, dx);
        unary(x.numel(), x.dtype(),
                call.start("pm_silu_bwd_" + t).ptr(ptr(x)).ptr(ptr(dout)).ptr(ptr(dx)).i64(x.numel()));
    }

    @Override
    public void gelu(Tensor x, boolean tanhApprox, Tensor out) {
        enter();
        String t = floating("gelu", x, out);
        sameShape("gelu", x, out);
        unary(x.numel(), x.dtype(),
                call.start("pm_gelu_" + t).ptr(ptr(x)).ptr(ptr(out)).i64(x.numel()).i32(tanhApprox ? 1 : 0));
    }

    @Override
    public void geluBackward(Tensor x, boolean tanhApprox, Tensor dout, Tensor dx) {
        enter();
        String t = floating("geluBackward", x, dout, dx);
        sameShape("geluBackward", x, dout);
        sameShape("geluBackward", x, dx);
        unary(x.numel(), x.dtype(), call.start("pm_gelu_bwd_" + t).ptr(ptr(x)).ptr(ptr(dout))
                .ptr(ptr(dx)).i64(x.numel()).i32(tanhApprox ? 1 : 0));
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        enter();
        String t = floating("swiglu", gate, up, out);
        sameShape("swiglu", gate, up);
        sameShape("swiglu", gate, out);
        unary(gate.numel(), gate.dtype(),
                call.start("pm_swiglu_" + t).ptr(ptr(gate)).ptr(ptr(up)).ptr(ptr(out)).i64(gate.numel()));
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dout, Tensor dgate, Tensor dup) {
        enter();
        String t = floating("swigluBackward", gate, up, dout, dgate, dup);
        for (Tensor o : new Tensor[] {up, dout, dgate, dup}) sameShape("swigluBackward", gate, o);
        unary(gate.numel(), gate.dtype(), call.start("pm_swiglu_bwd_" + t).ptr(ptr(gate)).ptr(ptr(up))
                .ptr(ptr(dout)).ptr(ptr(dgate)).ptr(ptr(dup)).i64(gate.numel()));
    }

    // ------------------------------------------------------------------ norms and softmax

    /** x, w, y: T (R, C), (C), (R, C); stat: F32 (R). Returns the kernel suffix. */
    private String normArgs(String op, Tensor x, Tensor w, Tensor y, Tensor stat) {
        String t = floating(op, x, w, y);
        f32(op, stat);
        shape(op, "weight", w, Shape.of(x.shape().last()));
        sameShape(op, x, y);
        shape(op, "row statistics", stat, Shape.of((int) x.shape().rows()));
        return t;
    }

    private int vecFlag(Tensor x, Tensor... others) {
        int cols = x.shape().last();
        Tensor[] all = new Tensor[others.length + 1];
        all[0] = x;
        System.arraycopy(others, 0, all, 1, others.length);
        return cols % pack(x.dtype()) == 0 && aligned(all) ? 1 : 0;
    }

    @Override
    public void rmsnorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd) {
        enter();
        String t = normArgs("rmsnorm", x, w, out, rstd);
        int cols = x.shape().last(), vec = vecFlag(x, w, out);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        call.start("pm_rmsnorm_" + t).ptr(ptr(x)).ptr(ptr(w)).f32(eps).ptr(ptr(out)).ptr(ptr(rstd)).i32(cols).i32(vec)
                .launch(rows, 1, rowBlock(cols, vec == 1 ? pack(x.dtype()) : 1), 0, stream);
    }

    @Override
    public void rmsnormBackward(Tensor x, Tensor w, Tensor rstd, Tensor dout, Tensor dx, Tensor dw) {
        enter();
        String t = normArgs("rmsnormBackward", x, w, dout, rstd);
        floating("rmsnormBackward", x, dx);
        sameShape("rmsnormBackward (dx)", x, dx);
        if (dw != null) {
            f32("rmsnormBackward (dw, accumulated in F32)", dw);
            sameShape("rmsnormBackward (dw)", w, dw);
        }
        int cols = x.shape().last(), vec = vecFlag(x, w, dout, dx);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        int chunks = (int) Math.min(rows, NORM_CHUNKS), smem = sharedFor("rmsnormBackward", cols, 1);
        try (Tensor partials = scratch((long) chunks * cols)) {
            call.start("pm_rmsnorm_bwd_" + t).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(rstd)).ptr(ptr(dout)).ptr(ptr(dx))
                    .ptr(ptr(partials)).i64(rows).i32(cols).i32(vec)
                    .launch(chunks, 1, rowBlock(cols, vec == 1 ? pack(x.dtype()) : 1), smem, stream);
            if (dw != null) reduceChunks(partials, chunks, cols, dw, true);
        }
    }

    /** Shared memory for {@code arrays} per-column f32 accumulators, checked against the device's limit. */
    private int sharedFor(String op, int cols, int arrays) {
        long bytes = 4L * cols * arrays;
        if (bytes > info.maxSharedPerBlockOptin())
            throw new UnsupportedOperationException(op + ": " + cols + " columns need " + bytes
                    + " bytes of shared memory, more than this device's " + info.maxSharedPerBlockOptin());
        return (int) bytes;
    }

    @Override
    public void layernorm(Tensor x, Tensor w, Tensor b, float eps, Tensor out, Tensor mean, Tensor rstd) {
        enter();
        String t = normArgs("layernorm", x, w, out, rstd);
        floating("layernorm", x, b);
        sameShape("layernorm (b)", w, b);
        f32("layernorm", mean);
        sameShape("layernorm (mean)", rstd, mean);
        int cols = x.shape().last(), vec = vecFlag(x, w, b, out);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        call.start("pm_layernorm_" + t).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(b)).f32(eps).ptr(ptr(out)).ptr(ptr(mean))
                .ptr(ptr(rstd)).i32(cols).i32(vec).launch(rows, 1, rowBlock(cols, vec == 1 ? pack(x.dtype()) : 1), 0, stream);
    }

    @Override
    public void layernormBackward(Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dout, Tensor dx, Tensor dw, Tensor db) {
        enter();
        String t = normArgs("layernormBackward", x, w, dout, rstd);
        floating("layernormBackward", x, dx);
        sameShape("layernormBackward (dx)", x, dx);
        f32("layernormBackward", mean);
        sameShape("layernormBackward (mean)", rstd, mean);
        for (Tensor g : new Tensor[] {dw, db}) {
            if (g == null) continue;
            f32("layernormBackward (dw, db accumulate in F32)", g);
            sameShape("layernormBackward (dw, db)", w, g);
        }
        int cols = x.shape().last(), vec = vecFlag(x, w, dout, dx);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        int chunks = (int) Math.min(rows, NORM_CHUNKS), smem = sharedFor("layernormBackward", cols, 2);
        try (Tensor pw = scratch((long) chunks * cols); Tensor pb = scratch((long) chunks * cols)) {
            call.start("pm_layernorm_bwd_" + t).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(mean)).ptr(ptr(rstd)).ptr(ptr(dout))
                    .ptr(ptr(dx)).ptr(ptr(pw)).ptr(ptr(pb)).i64(rows).i32(cols).i32(vec)
                    .launch(chunks, 1, rowBlock(cols, vec == 1 ? pack(x.dtype()) : 1), smem, stream);
            if (dw != null) reduceChunks(pw, chunks, cols, dw, true);
            if (db != null) reduceChunks(pb, chunks, cols, db, true);
        }
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        enter();
        String t = floating("softmax", x, out);
        sameShape("softmax", x, out);
        int cols = x.shape().last(), vec = vecFlag(x, out);
        long rows = x.shape().rows();
        if (rows == 0 || cols == 0) return;
        call.start("pm_softmax_" + t).ptr(ptr(x)).ptr(ptr(out)).i32(cols).i32(vec)
                .launch(rows, 1, rowBlock(cols, vec == 1 ? pack(x.dtype()) : 1), 0, stream);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        enter();
        String t = floating("softmaxBackward", y, dy, dx);
        sameShape("softmaxBackward", y, dy);
        sameShape("softmaxBackward", y, dx);
        int cols = y.shape().last(), vec = vecFlag(y, dy, dx);
        long rows = y.shape().rows();
        if (rows == 0 || cols == 0) return;
        call.start("pm_softmax_bwd_" + t).ptr(ptr(y)).ptr(ptr(dy)).ptr(ptr(dx)).i32(cols).i32(vec)
                .launch(rows, 1, rowBlock(cols, vec == 1 ? pack(y.dtype()) : 1), 0, stream);
    }

    // ------------------------------------------------------------------ rotary

    @Override
    public void ropeTable(RopeSpec spec, Tensor positions, Tensor cos, Tensor sin) {
        enter();
        ready("ropeTable", dev, positions, cos, sin);
        OpChecks.dtype("ropeTable", "positions", positions, DType.I32);
        OpChecks.rank("ropeTable", "positions", positions, 2);
        if (positions.dim(0) != spec.axes())
            throw new IllegalArgumentException("ropeTable: positions has " + positions.dim(0) + " rows, the spec needs " + spec.axes());
        int half = spec.headDim() / 2, n = positions.dim(1);
        Shape table = Shape.of(n, half);
        shape("ropeTable", "cos", cos, table);
        shape("ropeTable", "sin", sin, table);
        f32("ropeTable", cos, sin);
        if (n == 0) return;
        Tensor[] dspec = ropeSpecs.computeIfAbsent(spec, this::uploadSpec); // (D/2) axis I32, (D/2) invFreq F32
        launch1d(call.start("pm_rope_table").ptr(ptr(positions)).ptr(ptr(dspec[0])).ptr(ptr(dspec[1])).ptr(ptr(cos))
                .ptr(ptr(sin)).i64(n).i32(half), (long) n * half);
    }

    /**
     * A spec's per-frequency axis and inverse frequency, on the device once per spec. Outside any allocation scope:
     * the cache outlives the step that first asked (a scope would free the copies under it).
     */
    private Tensor[] uploadSpec(RopeSpec s) {
        return AllocationScope.outside(() -> {
            try (Tensor axis = Tensor.ofInts(s.axis(), s.axis().length); Tensor inv = Tensor.of(s.invFreq(), s.invFreq().length)) {
                return new Tensor[] {upload(axis), upload(inv)};
            }
        });
    }

    @Override
    public void rope(Tensor x, Tensor cos, Tensor sin, Tensor out) { rotate("rope", x, cos, sin, out, 1f); }

    @Override
    public void ropeBackward(Tensor dout, Tensor cos, Tensor sin, Tensor dx) { rotate("ropeBackward", dout, cos, sin, dx, -1f); }

    private void rotate(String op, Tensor x, Tensor cos, Tensor sin, Tensor out, float sign) {
        enter();
        String t = floating(op, x, out);
        f32(op, cos, sin);
        OpChecks.rank(op, "x", x, 3);
        int n = x.dim(0), heads = x.dim(1), dh = x.dim(2), half = dh / 2;
        if (dh % 2 != 0) throw new IllegalArgumentException(op + ": head dim " + dh + " must be even");
        shape(op, "cos", cos, Shape.of(n, half));
        shape(op, "sin", sin, Shape.of(n, half));
        sameShape(op, x, out);
        int w = pack(x.dtype()), vec = half % w == 0 && aligned(x, out, cos, sin) ? 1 : 0;
        long work = (long) n * heads * (vec == 1 ? half / w : half);
        if (work == 0) return;
        launch1d(call.start("pm_rope_" + t).ptr(ptr(x)).ptr(ptr(cos)).ptr(ptr(sin)).ptr(ptr(out)).i64(n).i32(heads)
                .i32(dh).f32(sign).i32(vec), work);
    }

    // ------------------------------------------------------------------ attention and log-prob

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out, Tensor lse) {
        enter();
        attention.forward(q, k, v, spec, out, lse);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, AttentionSpec spec,
                                  Tensor dq, Tensor dk, Tensor dv) {
        enter();
        attention.backward(q, k, v, out, lse, dout, spec, dq, dk, dv);
    }

    /** Split-K decode (flash-decoding); {@code lengths} and {@code slots} go to the device once per distinct pair. */
    @Override
    public void attentionDecode(Tensor q, Tensor kCache, Tensor vCache, int[] slots, int[] lengths, float scale, Tensor out) {
        enter();
        attention.decode(q, kCache, vCache, slots, lengths, scale, out);
    }

    @Override
    public void logprob(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor logp, Tensor lse) {
        enter();
        logprobs.forward(hidden, weight, targets, temperature, logp, lse);
    }

    @Override
    public void logprobBackward(Tensor hidden, Tensor weight, Tensor targets, float temperature, Tensor lse, Tensor dlogp,
                                Tensor dhidden, Tensor dweight) {
        enter();
        logprobs.backward(hidden, weight, targets, temperature, lse, dlogp, dhidden, dweight);
    }

    // ------------------------------------------------------------------ sampling

    /** {@code sampling.cu}: one block of 1024 threads per row; previous ids as CSR over the rows of prevIds. */
    @Override
    public void sample(Tensor logits, java.util.List<ai.pulsemind.backend.SampleRow> rows, Tensor prevIds, Tensor out) {
        enter();
        sampling.sample(logits, rows, prevIds, out);
    }

    // ------------------------------------------------------------------ gathers

    @Override
    public void gatherRows(Tensor table, Tensor idx, Tensor out) {
        enter();
        ready("gatherRows", dev, table, idx, out);
        OpChecks.gatherRows("gatherRows", table, idx, out);
        long rowBytes = (long) table.dim(1) * table.dtype().byteSize(), n = idx.dim(0);
        if (n == 0 || rowBytes == 0) return;
        int vec = rowBytes % 16 == 0 && aligned(table, out) ? 1 : 0;
        launch1d(call.start("pm_gather_rows").ptr(ptr(table)).ptr(ptr(idx)).ptr(ptr(out)).i64(n).i64(rowBytes)
                .i32(table.dim(0)).i32(vec).ptr(errorWord), n * (vec == 1 ? rowBytes / 16 : rowBytes));
    }

    /** src (N, C) F32 or BF16 into dst (V, C) F32, rows added in n order (the reference's order, bit for bit). */
    @Override
    public void scatterAddRows(Tensor src, Tensor idx, Tensor dst) {
        enter();
        String t = floating("scatterAddRows", src);
        f32("scatterAddRows (dst accumulates in F32)", dst);
        ready("scatterAddRows", dev, idx);
        OpChecks.dtype("scatterAddRows", "idx", idx, DType.I32);
        OpChecks.rank("scatterAddRows", "dst", dst, 2);
        shape("scatterAddRows", "src", src, Shape.of(idx.dim(0), dst.dim(1)));
        int cols = dst.dim(1);
        if (idx.dim(0) == 0 || cols == 0) return;
        call.start("pm_scatter_add_rows_" + t).ptr(ptr(src)).ptr(ptr(idx)).ptr(ptr(dst)).i64(idx.dim(0)).i32(cols)
                .i32(dst.dim(0)).ptr(errorWord).launch((cols + THREADS - 1) / THREADS, 1, THREADS, 0, stream);
    }

    // ------------------------------------------------------------------ patches

    @Override
    public void extractPatches(Tensor frames, PatchSpec spec, Tensor patches) { patches("extractPatches", frames, spec, patches, 0); }

    @Override
    public void foldPatches(Tensor patches, PatchSpec spec, Tensor frames) { patches("foldPatches", frames, spec, patches, 1); }

    private void patches(String op, Tensor frames, PatchSpec sp, Tensor patches, int fold) {
        enter();
        ready(op, dev, frames, patches);
        if (frames.dtype() != patches.dtype() || (frames.dtype().byteSize() != 2 && frames.dtype().byteSize() != 4))
            throw new IllegalArgumentException(op + ": frames and patches must share a 2- or 4-byte dtype, got "
                    + frames.dtype() + " and " + patches.dtype());
        int[] fs = OpChecks.patches(op, frames, sp, patches);
        if (patches.numel() == 0) return;
        launch1d(call.start("pm_patches_b" + frames.dtype().byteSize()).ptr(ptr(frames)).ptr(ptr(patches)).i32(fs[0])
                .i32(fs[1]).i32(fs[2]).i32(fs[3]).i32(sp.temporalPatch()).i32(sp.patch()).i32(sp.merge()).i32(fold),
                patches.numel());
    }

    // ------------------------------------------------------------------ optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp) { adamw(param, grad, m, v, hp, null); }

    /**
     * One fused AdamW step on f32 master weights and moments; {@code grad} F32 or BF16. When {@code paramBf16}
     * is given, the updated parameter is also written there in bf16 (the copy the forward pass reads), in the
     * same pass.
     */
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams hp, Tensor paramBf16) {
        enter();
        f32("adamw", param, m, v);
        ready("adamw", dev, grad, paramBf16);
        String g = floatSuffix("adamw (grad)", grad);
        sameShape("adamw (grad)", param, grad);
        sameShape("adamw (m)", param, m);
        sameShape("adamw (v)", param, v);
        if (paramBf16 != null) {
            OpChecks.dtype("adamw", "paramBf16", paramBf16, DType.BF16);
            sameShape("adamw (paramBf16)", param, paramBf16);
        }
        long n = param.numel();
        if (n == 0) return;
        MemorySegment h = adamwArgs;
        h.setAtIndex(JAVA_FLOAT, 0, hp.lr());
        h.setAtIndex(JAVA_FLOAT, 1, hp.beta1());
        h.setAtIndex(JAVA_FLOAT, 2, hp.beta2());
        h.setAtIndex(JAVA_FLOAT, 3, hp.eps());
        h.setAtIndex(JAVA_FLOAT, 4, hp.weightDecay());
        h.setAtIndex(JAVA_FLOAT, 5, (float) (1 - Math.pow(hp.beta1(), hp.step())));
        h.setAtIndex(JAVA_FLOAT, 6, (float) Math.sqrt(1 - Math.pow(hp.beta2(), hp.step())));
        launch1d(call.start("pm_adamw_" + g).ptr(ptr(param)).ptr(ptr(grad)).ptr(ptr(m)).ptr(ptr(v)).ptr(ptr(paramBf16))
                .i64(n).struct(h), n / 4 + 1);
    }

    // ------------------------------------------------------------------ CRPO advantage

    /** One block for the whole batch (B·G·C·D small integers): every reduction in one fixed order. */
    @Override
    public void crpoAdvantage(Tensor verdicts, Tensor weights, float tieScore, AdvantageScaling scaling, float eps,
                              Tensor rewards, Tensor advantages) {
        enter();
        int[] s = Crpo.check(dev, verdicts, weights, eps, rewards, advantages);
        int groups = s[0] * s[1];
        if (groups == 0) return;
        int block = Math.min(256, Math.max(32, (groups + 31) / 32 * 32)); // __launch_bounds__(256) in crpo.cu
        call.start("pm_crpo_advantage").ptr(ptr(verdicts)).ptr(ptr(weights)).i32(s[0]).i32(s[1]).i32(s[2]).i32(s[3])
                .f32(tieScore).i32(scaling.ordinal()).f32(eps).ptr(ptr(rewards)).ptr(ptr(advantages)).ptr(errorWord)
                .launch(1, 1, block, 0, stream);
    }
}

package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Row-major GEMM through cuBLASLt: {@code C[b] = alpha * op(A[b]) · op(B[b]) + beta * C[b]}, f32 accumulation
 * (CUBLAS_COMPUTE_32F) for bf16 and f32 operands, strided batches (the backend runs broadcast batches as separate GEMMs),
 * an optional bias epilogue, and a workspace. The algorithm comes from cuBLASLt's heuristic, asked once per
 * shape / dtype / alignment and cached with its descriptors.
 *
 * <p>cuBLASLt is column-major; a row-major (R, C) matrix is the column-major (C, R) matrix, so the row-major
 * product {@code C = op(A)·op(B)} is computed as the column-major {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}: B is passed as
 * cuBLASLt's first operand and A as its second, with m = N, n = M.
 */
final class CublasMatmul implements AutoCloseable {
    /** 32 MiB: what cuBLAS recommends for Hopper; enough for every heuristic choice of a dense GEMM. */
    static final long WORKSPACE_BYTES = 32L << 20;
    private static final int MAX_PLANS = 512;

    /** One GEMM's shape. Row-major: a (M, K) or (K, M) if ta; b (K, N) or (N, K) if tb; c (M, N); strides per batch. */
    record Shape(int m, int n, int k, int batch, boolean ta, boolean tb, long strideA, long strideB, long strideC) {}

    private record Key(int aType, int cType, Shape shape, boolean bias, int alignA, int alignB, int alignC) {}

    private record Plan(MemorySegment desc, MemorySegment la, MemorySegment lb, MemorySegment lc, MemorySegment algo) {}

    private final CublasLt lt;
    private final MemorySegment handle;
    private final DeviceAllocator allocator;
    private final long workspace;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment alpha = arena.allocate(JAVA_FLOAT), beta = arena.allocate(JAVA_FLOAT);
    private final Map<Key, Plan> plans = new HashMap<>();

    CublasMatmul(CublasLt lt, DeviceAllocator allocator) {
        this.lt = lt;
        this.allocator = allocator;
        this.handle = lt.create();
        this.workspace = allocator.allocate(WORKSPACE_BYTES);
    }

    /** Largest power of two up to 256 dividing {@code address}: the alignment the heuristic may assume. */
    static int alignment(long address) {
        long low = address & -address;
        return (int) Math.min(256, low == 0 ? 256 : low);
    }

    /**
     * Runs the GEMM on {@code stream}. {@code abType}/{@code cType} are cudaDataType values; {@code bias} (N, of
     * cType) is added to every row of C when non-zero.
     */
    synchronized void run(int abType, int cType, Shape s, long a, long b, long c, long bias, float alphaV, float betaV,
                          CudaStream stream) {
        Key key = new Key(abType, cType, s, bias != 0, alignment(a), alignment(b), alignment(c));
        Plan p = plans.get(key);
        if (p == null) p = plan(key);
        if (bias != 0) lt.descSetLong(p.desc(), CublasLt.DESC_BIAS_POINTER, bias);
        alpha.set(JAVA_FLOAT, 0, alphaV);
        beta.set(JAVA_FLOAT, 0, betaV);
        // cuBLASLt's first operand is our b, its second our a (see the class comment); C and D are the same buffer.
        lt.matmul(handle, p.desc(), alpha, MemorySegment.ofAddress(b), p.lb(), MemorySegment.ofAddress(a), p.la(), beta,
                MemorySegment.ofAddress(c), p.lc(), MemorySegment.ofAddress(c), p.lc(), p.algo(),
                MemorySegment.ofAddress(workspace), WORKSPACE_BYTES, stream.segment());
    }

    private Plan plan(Key key) {
        if (plans.size() >= MAX_PLANS) clearPlans();
        Shape s = key.shape();
        MemorySegment desc = lt.descCreate(CublasLt.COMPUTE_32F, CublasLt.CUDA_R_32F);
        lt.descSetInt(desc, CublasLt.DESC_TRANSA, s.tb() ? CublasLt.OP_T : CublasLt.OP_N);
        lt.descSetInt(desc, CublasLt.DESC_TRANSB, s.ta() ? CublasLt.OP_T : CublasLt.OP_N);
        if (key.bias()) lt.descSetInt(desc, CublasLt.DESC_EPILOGUE, CublasLt.EPILOGUE_BIAS);
        // Column-major views of the row-major operands (rows, cols, leading dimension).
        MemorySegment lb = s.tb() ? lt.layoutCreate(key.aType(), s.k(), s.n(), s.k()) : lt.layoutCreate(key.aType(), s.n(), s.k(), s.n());
        MemorySegment la = s.ta() ? lt.layoutCreate(key.aType(), s.m(), s.k(), s.m()) : lt.layoutCreate(key.aType(), s.k(), s.m(), s.k());
        MemorySegment lc = lt.layoutCreate(key.cType(), s.n(), s.m(), s.n());
        if (s.batch() > 1) {
            batch(lb, s.batch(), s.strideB());
            batch(la, s.batch(), s.strideA());
            batch(lc, s.batch(), s.strideC());
        }
        MemorySegment p = lt.prefCreate();
        try (Arena tmp = Arena.ofConfined()) {
            lt.prefSetLong(p, CublasLt.PREF_MAX_WORKSPACE_BYTES, WORKSPACE_BYTES);
            // cuBLASLt's A is our b: alignments follow the operand order of the call.
            setAlign(p, 5, key.alignB(), tmp);
            setAlign(p, 6, key.alignA(), tmp);
            setAlign(p, 7, key.alignC(), tmp);
            setAlign(p, 8, key.alignC(), tmp);
            MemorySegment results = tmp.allocate(CublasLt.HEURISTIC_RESULT_BYTES, 8);
            int found = lt.heuristic(handle, desc, lb, la, lc, lc, p, 1, results);
            if (found == 0 || results.get(JAVA_INT, CublasLt.HEURISTIC_STATE_OFFSET) != 0)
                throw new CudaException("cuBLASLt has no algorithm for " + describe(key));
            MemorySegment algo = arena.allocate(CublasLt.ALGO_BYTES, 8);
            algo.copyFrom(results.asSlice(0, CublasLt.ALGO_BYTES));
            Plan plan = new Plan(desc, la, lb, lc, algo);
            plans.put(key, plan);
            return plan;
        } finally {
            lt.prefDestroy(p);
        }
    }

    /** CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_{A,B,C,D}_BYTES (5..8), uint32. */
    private void setAlign(MemorySegment p, int attr, int bytes, Arena tmp) {
        lt.prefSetInt(p, attr, bytes, tmp);
    }

    private void batch(MemorySegment layout, int count, long stride) {
        lt.layoutSetInt(layout, CublasLt.LAYOUT_BATCH_COUNT, count);
        lt.layoutSetLong(layout, CublasLt.LAYOUT_STRIDED_BATCH_OFFSET, stride);
    }

    private static String describe(Key k) {
        Shape s = k.shape();
        return "M=" + s.m() + " N=" + s.n() + " K=" + s.k() + " batch=" + s.batch() + (s.ta() ? " Aᵀ" : "")
                + (s.tb() ? " Bᵀ" : "") + " types " + k.aType() + "/" + k.cType() + (k.bias() ? " +bias" : "")
                + " alignments " + k.alignA() + "/" + k.alignB() + "/" + k.alignC();
    }

    /** Plans cached so far (for tests and diagnostics). */
    synchronized int plans() { return plans.size(); }

    private void clearPlans() {
        for (Plan p : plans.values()) {
            lt.descDestroy(p.desc());
            lt.layoutDestroy(p.la());
            lt.layoutDestroy(p.lb());
            lt.layoutDestroy(p.lc());
        }
        plans.clear();
    }

    @Override
    public synchronized void close() {
        clearPlans();
        lt.destroy(handle);
        allocator.free(workspace);
        arena.close();
    }
}

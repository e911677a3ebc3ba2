package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Hand-written Panama bindings to cuBLASLt ({@code libcublasLt.so.13}, else {@code .12}), the matmul subset:
 * handle, operation / layout / preference descriptors, heuristic algorithm selection and the matmul itself.
 * Every {@code cublasStatus_t} is checked and a failure raises {@link CudaException} naming the call.
 * Enum values are those of {@code cublasLt.h} and {@code library_types.h} (stable across CUDA 12 and 13).
 */
@SuppressWarnings("restricted") // this class is the native boundary: every downcall is bound and checked here
final class CublasLt {
    static final List<String> SONAMES = List.of("libcublasLt.so.13", "libcublasLt.so.12");

    record Fn(String symbol, FunctionDescriptor descriptor) {}

    private static FunctionDescriptor st(MemoryLayout... args) { return FunctionDescriptor.of(JAVA_INT, args); }

    static final Fn CREATE = new Fn("cublasLtCreate", st(ADDRESS));
    static final Fn DESTROY = new Fn("cublasLtDestroy", st(ADDRESS));
    static final Fn GET_VERSION = new Fn("cublasLtGetVersion", FunctionDescriptor.of(JAVA_LONG));
    static final Fn STATUS_NAME = new Fn("cublasLtGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final Fn STATUS_STRING = new Fn("cublasLtGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final Fn DESC_CREATE = new Fn("cublasLtMatmulDescCreate", st(ADDRESS, JAVA_INT, JAVA_INT));
    static final Fn DESC_DESTROY = new Fn("cublasLtMatmulDescDestroy", st(ADDRESS));
    static final Fn DESC_SET = new Fn("cublasLtMatmulDescSetAttribute", st(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    static final Fn LAYOUT_CREATE = new Fn("cublasLtMatrixLayoutCreate", st(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    static final Fn LAYOUT_DESTROY = new Fn("cublasLtMatrixLayoutDestroy", st(ADDRESS));
    static final Fn LAYOUT_SET = new Fn("cublasLtMatrixLayoutSetAttribute", st(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    static final Fn PREF_CREATE = new Fn("cublasLtMatmulPreferenceCreate", st(ADDRESS));
    static final Fn PREF_DESTROY = new Fn("cublasLtMatmulPreferenceDestroy", st(ADDRESS));
    static final Fn PREF_SET = new Fn("cublasLtMatmulPreferenceSetAttribute", st(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    static final Fn HEURISTIC = new Fn("cublasLtMatmulAlgoGetHeuristic",
            st(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    static final Fn MATMUL = new Fn("cublasLtMatmul", st(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));

    static final List<Fn> FUNCTIONS = List.of(CREATE, DESTROY, GET_VERSION, STATUS_NAME, STATUS_STRING, DESC_CREATE,
            DESC_DESTROY, DESC_SET, LAYOUT_CREATE, LAYOUT_DESTROY, LAYOUT_SET, PREF_CREATE, PREF_DESTROY, PREF_SET,
            HEURISTIC, MATMUL);

    // cudaDataType_t (library_types.h)
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16F = 2;
    static final int CUDA_R_16BF = 14;
    // cublasComputeType_t
    static final int COMPUTE_32F = 68;
    // cublasOperation_t
    static final int OP_N = 0;
    static final int OP_T = 1;
    // cublasLtMatmulDescAttributes_t
    static final int DESC_TRANSA = 3;
    static final int DESC_TRANSB = 4;
    static final int DESC_EPILOGUE = 7;
    static final int DESC_BIAS_POINTER = 8;
    // cublasLtEpilogue_t
    static final int EPILOGUE_DEFAULT = 1;
    static final int EPILOGUE_BIAS = 4;
    // cublasLtMatrixLayoutAttribute_t
    static final int LAYOUT_BATCH_COUNT = 5;
    static final int LAYOUT_STRIDED_BATCH_OFFSET = 6;
    // cublasLtMatmulPreferenceAttributes_t
    static final int PREF_MAX_WORKSPACE_BYTES = 1;
    /**
     * cublasLtMatmulHeuristicResult_t: algo (uint64_t[8]), size_t workspaceSize, cublasStatus_t state,
     * float wavesCount, int reserved[4]. The algo is its first 64 bytes.
     */
    static final long HEURISTIC_RESULT_BYTES = 96;
    static final long ALGO_BYTES = 64;
    static final long HEURISTIC_WORKSPACE_OFFSET = 64;
    static final long HEURISTIC_STATE_OFFSET = 72;

    private final NativeLibrary lib;
    private final Map<Fn, MethodHandle> bound = new IdentityHashMap<>();
    private final NativeCalls calls = new NativeCalls(this::check);
    private final MethodHandle statusName, statusString, matmul; // matmul: the hot path, called with invokeExact

    CublasLt(NativeLibrary lib) {
        this.lib = lib;
        for (Fn f : FUNCTIONS) bound.put(f, lib.bind(f.symbol(), f.descriptor()));
        statusName = bound.get(STATUS_NAME);
        statusString = bound.get(STATUS_STRING);
        matmul = bound.get(MATMUL);
    }

    String soname() { return lib.soname(); }

    void check(int status, String call) {
        if (status != 0) throw new CudaException(call, status, text(statusName, status, "cublasStatus " + status),
                text(statusString, status, ""));
    }

    private static String text(MethodHandle h, int status, String fallback) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact(status);
            return s.equals(MemorySegment.NULL) ? fallback : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    /** e.g. 130000 + minor*100 + patch for 13.x: cuBLAS's version number. */
    long version() {
        try {
            return (long) bound.get(GET_VERSION).invokeExact();
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    MemorySegment create() { return calls.outAddress(bound.get(CREATE), CREATE.symbol()); }

    void destroy(MemorySegment handle) { calls.call(bound.get(DESTROY), DESTROY.symbol(), handle); }

    MemorySegment descCreate(int computeType, int scaleType) {
        return calls.outAddress(bound.get(DESC_CREATE), DESC_CREATE.symbol(), computeType, scaleType);
    }

    void descDestroy(MemorySegment d) { calls.call(bound.get(DESC_DESTROY), DESC_DESTROY.symbol(), d); }

    void descSetInt(MemorySegment d, int attr, int value) { setAttribute(DESC_SET, d, attr, JAVA_INT, value); }

    void descSetLong(MemorySegment d, int attr, long value) { setAttribute(DESC_SET, d, attr, JAVA_LONG, value); }

    MemorySegment layoutCreate(int type, long rows, long cols, long ld) {
        return calls.outAddress(bound.get(LAYOUT_CREATE), LAYOUT_CREATE.symbol(), type, rows, cols, ld);
    }

    void layoutDestroy(MemorySegment l) { calls.call(bound.get(LAYOUT_DESTROY), LAYOUT_DESTROY.symbol(), l); }

    void layoutSetInt(MemorySegment l, int attr, int value) { setAttribute(LAYOUT_SET, l, attr, JAVA_INT, value); }

    void layoutSetLong(MemorySegment l, int attr, long value) { setAttribute(LAYOUT_SET, l, attr, JAVA_LONG, value); }

    MemorySegment prefCreate() { return calls.outAddress(bound.get(PREF_CREATE), PREF_CREATE.symbol()); }

    void prefDestroy(MemorySegment p) { calls.call(bound.get(PREF_DESTROY), PREF_DESTROY.symbol(), p); }

    void prefSetLong(MemorySegment p, int attr, long value) { setAttribute(PREF_SET, p, attr, JAVA_LONG, value); }

    /** The value is allocated in {@code a}, which the caller keeps open until the heuristic has run. */
    void prefSetInt(MemorySegment p, int attr, int value, Arena a) {
        calls.call(bound.get(PREF_SET), PREF_SET.symbol() + "(" + attr + ")", p, attr, a.allocateFrom(JAVA_INT, value), 4L);
    }

    /** A descriptor's attribute (the *SetAttribute calls take a pointer to the value and its size). */
    private void setAttribute(Fn f, MemorySegment target, int attr, ValueLayout layout, Object value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(layout);
            if (layout == JAVA_INT) v.set(JAVA_INT, 0, (Integer) value);
            else v.set(JAVA_LONG, 0, (Long) value);
            calls.call(bound.get(f), f.symbol() + "(" + attr + ")", target, attr, v, layout.byteSize());
        }
    }

    /** Fills {@code results} (requested × 96 bytes) and returns how many algorithms the heuristic returned. */
    int heuristic(MemorySegment handle, MemorySegment desc, MemorySegment a, MemorySegment b, MemorySegment c,
                  MemorySegment d, MemorySegment pref, int requested, MemorySegment results) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            calls.call(bound.get(HEURISTIC), HEURISTIC.symbol(), handle, desc, a, b, c, d, pref, requested, results, n);
            return n.get(JAVA_INT, 0);
        }
    }

    void matmul(MemorySegment handle, MemorySegment desc, MemorySegment alpha, MemorySegment a, MemorySegment aDesc,
                MemorySegment b, MemorySegment bDesc, MemorySegment beta, MemorySegment c, MemorySegment cDesc,
                MemorySegment d, MemorySegment dDesc, MemorySegment algo, MemorySegment workspace, long workspaceBytes,
                MemorySegment stream) {
        try {
            check((int) matmul.invokeExact(handle, desc, alpha, a, aDesc, b, bDesc, beta, c, cDesc, d, dDesc, algo,
                    workspace, workspaceBytes, stream), MATMUL.symbol());
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}

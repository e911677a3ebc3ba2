package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

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
    private final MethodHandle create, destroy, getVersion, statusName, statusString, descCreate, descDestroy, descSet,
            layoutCreate, layoutDestroy, layoutSet, prefCreate, prefDestroy, prefSet, heuristic, matmul;

    CublasLt(NativeLibrary lib) {
        this.lib = lib;
        create = bind(CREATE);
        destroy = bind(DESTROY);
        getVersion = bind(GET_VERSION);
        statusName = bind(STATUS_NAME);
        statusString = bind(STATUS_STRING);
        descCreate = bind(DESC_CREATE);
        descDestroy = bind(DESC_DESTROY);
        descSet = bind(DESC_SET);
        layoutCreate = bind(LAYOUT_CREATE);
        layoutDestroy = bind(LAYOUT_DESTROY);
        layoutSet = bind(LAYOUT_SET);
        prefCreate = bind(PREF_CREATE);
        prefDestroy = bind(PREF_DESTROY);
        prefSet = bind(PREF_SET);
        heuristic = bind(HEURISTIC);
        matmul = bind(MATMUL);
    }

    private MethodHandle bind(Fn f) { return lib.bind(f.symbol(), f.descriptor()); }

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

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** e.g. 130000 + minor*100 + patch for 13.x: cuBLAS's version number. */
    long version() {
        try {
            return (long) getVersion.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) create.invokeExact(p), CREATE.symbol());
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void destroy(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), DESTROY.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment descCreate(int computeType, int scaleType) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) descCreate.invokeExact(p, computeType, scaleType), DESC_CREATE.symbol());
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void descDestroy(MemorySegment d) {
        try {
            check((int) descDestroy.invokeExact(d), DESC_DESTROY.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void descSetInt(MemorySegment d, int attr, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_INT, value);
            check((int) descSet.invokeExact(d, attr, v, 4L), DESC_SET.symbol() + "(" + attr + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void descSetLong(MemorySegment d, int attr, long value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_LONG, value);
            check((int) descSet.invokeExact(d, attr, v, 8L), DESC_SET.symbol() + "(" + attr + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment layoutCreate(int type, long rows, long cols, long ld) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) layoutCreate.invokeExact(p, type, rows, cols, ld), LAYOUT_CREATE.symbol());
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void layoutDestroy(MemorySegment l) {
        try {
            check((int) layoutDestroy.invokeExact(l), LAYOUT_DESTROY.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void layoutSetInt(MemorySegment l, int attr, int value) {
        try (Arena a = Arena.ofConfined()) {
            check((int) layoutSet.invokeExact(l, attr, a.allocateFrom(JAVA_INT, value), 4L), LAYOUT_SET.symbol() + "(" + attr + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void layoutSetLong(MemorySegment l, int attr, long value) {
        try (Arena a = Arena.ofConfined()) {
            check((int) layoutSet.invokeExact(l, attr, a.allocateFrom(JAVA_LONG, value), 8L), LAYOUT_SET.symbol() + "(" + attr + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment prefCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) prefCreate.invokeExact(p), PREF_CREATE.symbol());
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void prefDestroy(MemorySegment p) {
        try {
            check((int) prefDestroy.invokeExact(p), PREF_DESTROY.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void prefSetLong(MemorySegment p, int attr, long value) {
        try (Arena a = Arena.ofConfined()) {
            check((int) prefSet.invokeExact(p, attr, a.allocateFrom(JAVA_LONG, value), 8L), PREF_SET.symbol() + "(" + attr + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void prefSetInt(MemorySegment p, int attr, int value, Arena a) {
        try {
            check((int) prefSet.invokeExact(p, attr, a.allocateFrom(JAVA_INT, value), 4L), PREF_SET.symbol() + "(" + attr + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@code results} (requested × 96 bytes) and returns how many algorithms the heuristic returned. */
    int heuristic(MemorySegment handle, MemorySegment desc, MemorySegment a, MemorySegment b, MemorySegment c,
                  MemorySegment d, MemorySegment pref, int requested, MemorySegment results) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            check((int) heuristic.invokeExact(handle, desc, a, b, c, d, pref, requested, results, n), HEURISTIC.symbol());
            return n.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
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
            throw rethrow(t);
        }
    }
}

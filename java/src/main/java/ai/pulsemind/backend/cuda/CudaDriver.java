package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Hand-written Panama bindings to the CUDA driver API ({@code libcuda.so.1}), the subset the backend uses.
 *
 * <p>Every function is bound by its exported symbol, which is not always the API name: {@code cuda.h} renames
 * many calls to versioned entry points ({@code cuMemAlloc} → {@code cuMemAlloc_v2}); {@link #FUNCTIONS} records
 * both so a test checks them against the header. Every call's {@code CUresult} is checked and a failure raises
 * {@link CudaException} naming the call. C types: {@code CUdevice} and enums are {@code int}; {@code size_t} and
 * {@code CUdeviceptr} are {@code long}; handles ({@code CUcontext}, {@code CUstream}, ...) are addresses.
 */
@SuppressWarnings("restricted") // this class is the native boundary: every downcall is bound and checked here
final class CudaDriver {
    static final String SONAME = "libcuda.so.1";

    /** One bound function: the API name in {@code cuda.h}, the symbol we look up, its C signature. */
    record Fn(String api, String symbol, FunctionDescriptor descriptor, String... fallbacks) {}

    private static FunctionDescriptor rc(MemoryLayout... args) { return FunctionDescriptor.of(JAVA_INT, args); }

    static final Fn INIT = new Fn("cuInit", "cuInit", rc(JAVA_INT));
    static final Fn DRIVER_VERSION = new Fn("cuDriverGetVersion", "cuDriverGetVersion", rc(ADDRESS));
    static final Fn ERROR_NAME = new Fn("cuGetErrorName", "cuGetErrorName", rc(JAVA_INT, ADDRESS));
    static final Fn ERROR_STRING = new Fn("cuGetErrorString", "cuGetErrorString", rc(JAVA_INT, ADDRESS));
    static final Fn DEVICE_COUNT = new Fn("cuDeviceGetCount", "cuDeviceGetCount", rc(ADDRESS));
    static final Fn DEVICE_GET = new Fn("cuDeviceGet", "cuDeviceGet", rc(ADDRESS, JAVA_INT));
    static final Fn DEVICE_NAME = new Fn("cuDeviceGetName", "cuDeviceGetName", rc(ADDRESS, JAVA_INT, JAVA_INT));
    static final Fn DEVICE_ATTRIBUTE = new Fn("cuDeviceGetAttribute", "cuDeviceGetAttribute", rc(ADDRESS, JAVA_INT, JAVA_INT));
    static final Fn DEVICE_TOTAL_MEM = new Fn("cuDeviceTotalMem", "cuDeviceTotalMem_v2", rc(ADDRESS, JAVA_INT));
    static final Fn PRIMARY_CTX_RETAIN = new Fn("cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRetain", rc(ADDRESS, JAVA_INT));
    static final Fn PRIMARY_CTX_RELEASE = new Fn("cuDevicePrimaryCtxRelease", "cuDevicePrimaryCtxRelease_v2", rc(JAVA_INT));
    static final Fn CTX_SET_CURRENT = new Fn("cuCtxSetCurrent", "cuCtxSetCurrent", rc(ADDRESS));
    static final Fn CTX_SYNCHRONIZE = new Fn("cuCtxSynchronize", "cuCtxSynchronize", rc());
    static final Fn MEM_GET_INFO = new Fn("cuMemGetInfo", "cuMemGetInfo_v2", rc(ADDRESS, ADDRESS));
    static final Fn MEM_ALLOC = new Fn("cuMemAlloc", "cuMemAlloc_v2", rc(ADDRESS, JAVA_LONG));
    static final Fn MEM_FREE = new Fn("cuMemFree", "cuMemFree_v2", rc(JAVA_LONG));
    static final Fn MEM_HOST_ALLOC = new Fn("cuMemHostAlloc", "cuMemHostAlloc", rc(ADDRESS, JAVA_LONG, JAVA_INT));
    static final Fn MEM_FREE_HOST = new Fn("cuMemFreeHost", "cuMemFreeHost", rc(ADDRESS));
    static final Fn MEMCPY_HTOD = new Fn("cuMemcpyHtoD", "cuMemcpyHtoD_v2", rc(JAVA_LONG, ADDRESS, JAVA_LONG));
    static final Fn MEMCPY_DTOH = new Fn("cuMemcpyDtoH", "cuMemcpyDtoH_v2", rc(ADDRESS, JAVA_LONG, JAVA_LONG));
    static final Fn MEMCPY_HTOD_ASYNC = new Fn("cuMemcpyHtoDAsync", "cuMemcpyHtoDAsync_v2", rc(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
    static final Fn MEMCPY_DTOH_ASYNC = new Fn("cuMemcpyDtoHAsync", "cuMemcpyDtoHAsync_v2", rc(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    static final Fn MEMCPY_DTOD_ASYNC = new Fn("cuMemcpyDtoDAsync", "cuMemcpyDtoDAsync_v2", rc(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    static final Fn MEMSET_D8_ASYNC = new Fn("cuMemsetD8Async", "cuMemsetD8Async", rc(JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
    static final Fn MEMSET_D16_ASYNC = new Fn("cuMemsetD16Async", "cuMemsetD16Async", rc(JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
    static final Fn MEMSET_D32_ASYNC = new Fn("cuMemsetD32Async", "cuMemsetD32Async", rc(JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
    static final Fn STREAM_CREATE = new Fn("cuStreamCreate", "cuStreamCreate", rc(ADDRESS, JAVA_INT));
    static final Fn STREAM_DESTROY = new Fn("cuStreamDestroy", "cuStreamDestroy_v2", rc(ADDRESS));
    static final Fn STREAM_SYNCHRONIZE = new Fn("cuStreamSynchronize", "cuStreamSynchronize", rc(ADDRESS));
    static final Fn EVENT_CREATE = new Fn("cuEventCreate", "cuEventCreate", rc(ADDRESS, JAVA_INT));
    static final Fn EVENT_DESTROY = new Fn("cuEventDestroy", "cuEventDestroy_v2", rc(ADDRESS));
    static final Fn EVENT_RECORD = new Fn("cuEventRecord", "cuEventRecord", rc(ADDRESS, ADDRESS));
    static final Fn EVENT_SYNCHRONIZE = new Fn("cuEventSynchronize", "cuEventSynchronize", rc(ADDRESS));
    // CUDA 12.8 added the _v2 entry point and CUDA 13's header maps the API name to it; older drivers have only
    // the first version, with the same signature.
    static final Fn EVENT_ELAPSED = new Fn("cuEventElapsedTime", "cuEventElapsedTime_v2", rc(ADDRESS, ADDRESS, ADDRESS),
            "cuEventElapsedTime");
    static final Fn MODULE_LOAD_DATA = new Fn("cuModuleLoadData", "cuModuleLoadData", rc(ADDRESS, ADDRESS));
    static final Fn MODULE_UNLOAD = new Fn("cuModuleUnload", "cuModuleUnload", rc(ADDRESS));
    static final Fn MODULE_GET_FUNCTION = new Fn("cuModuleGetFunction", "cuModuleGetFunction", rc(ADDRESS, ADDRESS, ADDRESS));
    static final Fn FUNC_SET_ATTRIBUTE = new Fn("cuFuncSetAttribute", "cuFuncSetAttribute", rc(ADDRESS, JAVA_INT, JAVA_INT));
    static final Fn FUNC_GET_ATTRIBUTE = new Fn("cuFuncGetAttribute", "cuFuncGetAttribute", rc(ADDRESS, JAVA_INT, ADDRESS));
    static final Fn LAUNCH_KERNEL = new Fn("cuLaunchKernel", "cuLaunchKernel", rc(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final Fn OCCUPANCY = new Fn("cuOccupancyMaxActiveBlocksPerMultiprocessor",
            "cuOccupancyMaxActiveBlocksPerMultiprocessor", rc(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));

    /** Every function this class binds, for the binding tests. */
    static final List<Fn> FUNCTIONS = List.of(INIT, DRIVER_VERSION, ERROR_NAME, ERROR_STRING, DEVICE_COUNT, DEVICE_GET,
            DEVICE_NAME, DEVICE_ATTRIBUTE, DEVICE_TOTAL_MEM, PRIMARY_CTX_RETAIN, PRIMARY_CTX_RELEASE, CTX_SET_CURRENT,
            CTX_SYNCHRONIZE, MEM_GET_INFO, MEM_ALLOC, MEM_FREE, MEM_HOST_ALLOC, MEM_FREE_HOST, MEMCPY_HTOD, MEMCPY_DTOH,
            MEMCPY_HTOD_ASYNC, MEMCPY_DTOH_ASYNC, MEMCPY_DTOD_ASYNC, MEMSET_D8_ASYNC, MEMSET_D16_ASYNC, MEMSET_D32_ASYNC,
            STREAM_CREATE, STREAM_DESTROY, STREAM_SYNCHRONIZE, EVENT_CREATE, EVENT_DESTROY, EVENT_RECORD,
            EVENT_SYNCHRONIZE, EVENT_ELAPSED, MODULE_LOAD_DATA, MODULE_UNLOAD, MODULE_GET_FUNCTION, FUNC_SET_ATTRIBUTE,
            FUNC_GET_ATTRIBUTE, LAUNCH_KERNEL, OCCUPANCY);

    // CUresult values the backend treats specially (cuda.h).
    static final int CUDA_SUCCESS = 0;
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    static final int CUDA_ERROR_NOT_FOUND = 500;

    // CUdevice_attribute values (cuda.h).
    static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_L2_CACHE_SIZE = 38;
    static final int ATTR_CC_MAJOR = 75;
    static final int ATTR_CC_MINOR = 76;
    static final int ATTR_MAX_SHARED_PER_BLOCK_OPTIN = 97;
    /** CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES. */
    static final int FUNC_ATTR_MAX_DYNAMIC_SHARED = 8;
    /** CU_FUNC_ATTRIBUTE_NUM_REGS. */
    static final int FUNC_ATTR_NUM_REGS = 4;
    static final int STREAM_NON_BLOCKING = 1;
    static final int MEMHOSTALLOC_PORTABLE = 1;

    private final NativeLibrary lib;
    private final Map<Fn, MethodHandle> bound = new IdentityHashMap<>();
    private final NativeCalls calls = new NativeCalls(this::check);
    // the calls on the hot path, called with invokeExact (the rest go through call/out, which box their arguments)
    private final MethodHandle errorName, errorString, ctxSetCurrent, memAlloc, memFree, memcpyHtoDAsync, memcpyDtoHAsync,
            memcpyDtoDAsync, memsetD8Async, memsetD16Async, memsetD32Async, streamSynchronize, launchKernel;

    CudaDriver(NativeLibrary lib) {
        this.lib = lib;
        for (Fn f : FUNCTIONS) bound.put(f, lib.bind(f.symbol(), f.descriptor(), f.fallbacks()));
        errorName = bound.get(ERROR_NAME);
        errorString = bound.get(ERROR_STRING);
        ctxSetCurrent = bound.get(CTX_SET_CURRENT);
        memAlloc = bound.get(MEM_ALLOC);
        memFree = bound.get(MEM_FREE);
        memcpyHtoDAsync = bound.get(MEMCPY_HTOD_ASYNC);
        memcpyDtoHAsync = bound.get(MEMCPY_DTOH_ASYNC);
        memcpyDtoDAsync = bound.get(MEMCPY_DTOD_ASYNC);
        memsetD8Async = bound.get(MEMSET_D8_ASYNC);
        memsetD16Async = bound.get(MEMSET_D16_ASYNC);
        memsetD32Async = bound.get(MEMSET_D32_ASYNC);
        streamSynchronize = bound.get(STREAM_SYNCHRONIZE);
        launchKernel = bound.get(LAUNCH_KERNEL);
    }

    String soname() { return lib.soname(); }

    // ------------------------------------------------------------------ checking

    /** Throws {@link CudaException} naming {@code call} unless {@code rc} is CUDA_SUCCESS. */
    void check(int rc, String call) {
        if (rc != CUDA_SUCCESS) throw new CudaException(call, rc, errorName(rc), errorString(rc));
    }

    /** "CUDA_ERROR_..." for a CUresult (never throws: used while reporting another error). */
    String errorName(int rc) { return message(errorName, rc, "CUresult " + rc); }

    String errorString(int rc) { return message(errorString, rc, ""); }

    private static String message(MethodHandle h, int rc, String fallback) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int r = (int) h.invokeExact(rc, p);
            MemorySegment s = p.get(ADDRESS, 0);
            return r == 0 && !s.equals(MemorySegment.NULL) ? s.reinterpret(4096).getString(0) : fallback;
        } catch (Throwable t) {
            return fallback;
        }
    }

    private static RuntimeException rethrow(Throwable t) { return NativeCalls.rethrow(t); }

    /** The name a failure of {@code f} is reported under: its symbol, with {@code detail} in parentheses. */
    private static String what(Fn f, String detail) { return detail == null ? f.symbol() : f.symbol() + "(" + detail + ")"; }

    private void call(Fn f, String detail, Object... args) { calls.call(bound.get(f), what(f, detail), args); }

    private <T> T out(Fn f, String detail, MemoryLayout layout, java.util.function.Function<MemorySegment, T> read, Object... rest) {
        return calls.out(bound.get(f), what(f, detail), layout, read, rest);
    }

    private int outInt(Fn f, String detail, Object... rest) { return calls.outInt(bound.get(f), what(f, detail), rest); }

    private MemorySegment outAddress(Fn f, String detail, Object... rest) { return calls.outAddress(bound.get(f), what(f, detail), rest); }

    // ------------------------------------------------------------------ init and devices

    /** cuInit's raw result, for the probe (which reports it instead of throwing). */
    int initStatus() {
        try {
            return (int) bound.get(INIT).invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int driverVersion() { return outInt(DRIVER_VERSION, null); }

    int deviceCount() { return outInt(DEVICE_COUNT, null); }

    int device(int ordinal) { return outInt(DEVICE_GET, null, ordinal); }

    String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            call(DEVICE_NAME, null, buf, 256, dev);
            return buf.getString(0);
        }
    }

    int attribute(int dev, int attr) { return outInt(DEVICE_ATTRIBUTE, String.valueOf(attr), attr, dev); }

    long totalMemory(int dev) { return out(DEVICE_TOTAL_MEM, null, JAVA_LONG, v -> v.get(JAVA_LONG, 0), dev); }

    // ------------------------------------------------------------------ contexts

    MemorySegment primaryContextRetain(int dev) { return outAddress(PRIMARY_CTX_RETAIN, null, dev); }

    void primaryContextRelease(int dev) { call(PRIMARY_CTX_RELEASE, null, dev); }

    void setCurrent(MemorySegment ctx) {
        try {
            check((int) ctxSetCurrent.invokeExact(ctx), CTX_SET_CURRENT.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void ctxSynchronize() { call(CTX_SYNCHRONIZE, null); }

    /** {free, total} bytes of the current context's device. */
    long[] memGetInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), t = a.allocate(JAVA_LONG);
            call(MEM_GET_INFO, null, f, t);
            return new long[] {f.get(JAVA_LONG, 0), t.get(JAVA_LONG, 0)};
        }
    }

    // ------------------------------------------------------------------ memory

    /** cuMemAlloc; returns 0 on CUDA_ERROR_OUT_OF_MEMORY (the caching allocator then frees its cache and retries). */
    long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            int rc = (int) memAlloc.invokeExact(p, bytes);
            if (rc == CUDA_ERROR_OUT_OF_MEMORY) return 0;
            check(rc, MEM_ALLOC.symbol() + "(" + bytes + " bytes)");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memFree(long dptr) {
        try {
            check((int) memFree.invokeExact(dptr), MEM_FREE.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment memHostAlloc(long bytes, int flags) {
        return outAddress(MEM_HOST_ALLOC, bytes + " bytes", bytes, flags).reinterpret(bytes);
    }

    void memFreeHost(MemorySegment p) { call(MEM_FREE_HOST, null, p); }

    void memcpyHtoD(long dst, MemorySegment src, long bytes) { call(MEMCPY_HTOD, null, dst, src, bytes); }

    void memcpyDtoH(MemorySegment dst, long src, long bytes) { call(MEMCPY_DTOH, null, dst, src, bytes); }

    void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) memcpyHtoDAsync.invokeExact(dst, src, bytes, stream), MEMCPY_HTOD_ASYNC.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) memcpyDtoHAsync.invokeExact(dst, src, bytes, stream), MEMCPY_DTOH_ASYNC.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) memcpyDtoDAsync.invokeExact(dst, src, bytes, stream), MEMCPY_DTOD_ASYNC.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@code count} elements of {@code elemBytes} (1, 2 or 4) with the low bits of {@code pattern}. */
    void memsetAsync(long dst, int elemBytes, int pattern, long count, MemorySegment stream) {
        try {
            switch (elemBytes) {
                case 1 -> check((int) memsetD8Async.invokeExact(dst, pattern & 0xff, count, stream), MEMSET_D8_ASYNC.symbol());
                case 2 -> check((int) memsetD16Async.invokeExact(dst, pattern & 0xffff, count, stream), MEMSET_D16_ASYNC.symbol());
                case 4 -> check((int) memsetD32Async.invokeExact(dst, pattern, count, stream), MEMSET_D32_ASYNC.symbol());
                default -> throw new IllegalArgumentException("memset of " + elemBytes + "-byte elements");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ streams and events

    MemorySegment streamCreate(int flags) { return outAddress(STREAM_CREATE, null, flags); }

    void streamDestroy(MemorySegment s) { call(STREAM_DESTROY, null, s); }

    void streamSynchronize(MemorySegment s) {
        try {
            check((int) streamSynchronize.invokeExact(s), STREAM_SYNCHRONIZE.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment eventCreate(int flags) { return outAddress(EVENT_CREATE, null, flags); }

    void eventDestroy(MemorySegment e) { call(EVENT_DESTROY, null, e); }

    void eventRecord(MemorySegment e, MemorySegment stream) { call(EVENT_RECORD, null, e, stream); }

    void eventSynchronize(MemorySegment e) { call(EVENT_SYNCHRONIZE, null, e); }

    float eventElapsedMs(MemorySegment start, MemorySegment end) {
        return out(EVENT_ELAPSED, null, JAVA_FLOAT, v -> v.get(JAVA_FLOAT, 0), start, end);
    }

    // ------------------------------------------------------------------ modules and launches

    MemorySegment moduleLoadData(MemorySegment image, String what) { return outAddress(MODULE_LOAD_DATA, what, image); }

    void moduleUnload(MemorySegment m) { call(MODULE_UNLOAD, null, m); }

    MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            return outAddress(MODULE_GET_FUNCTION, name, module, a.allocateFrom(name));
        }
    }

    void funcSetAttribute(MemorySegment f, int attr, int value, String name) { call(FUNC_SET_ATTRIBUTE, name, f, attr, value); }

    int funcGetAttribute(MemorySegment f, int attr, String name) { return outInt(FUNC_GET_ATTRIBUTE, name, attr, f); }

    void launchKernel(MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int smem, MemorySegment stream,
                      MemorySegment params, String name) {
        try {
            check((int) launchKernel.invokeExact(f, gx, gy, gz, bx, by, bz, smem, stream, params, MemorySegment.NULL),
                    LAUNCH_KERNEL.symbol() + "(" + name + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int maxActiveBlocksPerSm(MemorySegment f, int blockSize, long smem, String name) {
        return outInt(OCCUPANCY, name, f, blockSize, smem);
    }
}

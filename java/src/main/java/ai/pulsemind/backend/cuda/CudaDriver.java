package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

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
    private final MethodHandle init, driverVersion, errorName, errorString, deviceCount, deviceGet, deviceName,
            deviceAttribute, deviceTotalMem, primaryRetain, primaryRelease, ctxSetCurrent, ctxSynchronize, memGetInfo,
            memAlloc, memFree, memHostAlloc, memFreeHost, memcpyHtoD, memcpyDtoH, memcpyHtoDAsync, memcpyDtoHAsync,
            memcpyDtoDAsync, memsetD8Async, memsetD16Async, memsetD32Async, streamCreate, streamDestroy,
            streamSynchronize, eventCreate, eventDestroy, eventRecord, eventSynchronize, eventElapsed, moduleLoadData,
            moduleUnload, moduleGetFunction, funcSetAttribute, funcGetAttribute, launchKernel, occupancy;

    CudaDriver(NativeLibrary lib) {
        this.lib = lib;
        init = bind(INIT);
        driverVersion = bind(DRIVER_VERSION);
        errorName = bind(ERROR_NAME);
        errorString = bind(ERROR_STRING);
        deviceCount = bind(DEVICE_COUNT);
        deviceGet = bind(DEVICE_GET);
        deviceName = bind(DEVICE_NAME);
        deviceAttribute = bind(DEVICE_ATTRIBUTE);
        deviceTotalMem = bind(DEVICE_TOTAL_MEM);
        primaryRetain = bind(PRIMARY_CTX_RETAIN);
        primaryRelease = bind(PRIMARY_CTX_RELEASE);
        ctxSetCurrent = bind(CTX_SET_CURRENT);
        ctxSynchronize = bind(CTX_SYNCHRONIZE);
        memGetInfo = bind(MEM_GET_INFO);
        memAlloc = bind(MEM_ALLOC);
        memFree = bind(MEM_FREE);
        memHostAlloc = bind(MEM_HOST_ALLOC);
        memFreeHost = bind(MEM_FREE_HOST);
        memcpyHtoD = bind(MEMCPY_HTOD);
        memcpyDtoH = bind(MEMCPY_DTOH);
        memcpyHtoDAsync = bind(MEMCPY_HTOD_ASYNC);
        memcpyDtoHAsync = bind(MEMCPY_DTOH_ASYNC);
        memcpyDtoDAsync = bind(MEMCPY_DTOD_ASYNC);
        memsetD8Async = bind(MEMSET_D8_ASYNC);
        memsetD16Async = bind(MEMSET_D16_ASYNC);
        memsetD32Async = bind(MEMSET_D32_ASYNC);
        streamCreate = bind(STREAM_CREATE);
        streamDestroy = bind(STREAM_DESTROY);
        streamSynchronize = bind(STREAM_SYNCHRONIZE);
        eventCreate = bind(EVENT_CREATE);
        eventDestroy = bind(EVENT_DESTROY);
        eventRecord = bind(EVENT_RECORD);
        eventSynchronize = bind(EVENT_SYNCHRONIZE);
        eventElapsed = bind(EVENT_ELAPSED);
        moduleLoadData = bind(MODULE_LOAD_DATA);
        moduleUnload = bind(MODULE_UNLOAD);
        moduleGetFunction = bind(MODULE_GET_FUNCTION);
        funcSetAttribute = bind(FUNC_SET_ATTRIBUTE);
        funcGetAttribute = bind(FUNC_GET_ATTRIBUTE);
        launchKernel = bind(LAUNCH_KERNEL);
        occupancy = bind(OCCUPANCY);
    }

    private MethodHandle bind(Fn f) { return lib.bind(f.symbol(), f.descriptor(), f.fallbacks()); }

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

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ------------------------------------------------------------------ init and devices

    /** cuInit's raw result, for the probe (which reports it instead of throwing). */
    int initStatus() {
        try {
            return (int) init.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) driverVersion.invokeExact(v), DRIVER_VERSION.symbol());
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) deviceCount.invokeExact(v), DEVICE_COUNT.symbol());
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) deviceGet.invokeExact(v, ordinal), DEVICE_GET.symbol());
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check((int) deviceName.invokeExact(buf, 256, dev), DEVICE_NAME.symbol());
            return buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int attribute(int dev, int attr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) deviceAttribute.invokeExact(v, attr, dev), DEVICE_ATTRIBUTE.symbol() + "(" + attr + ")");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long totalMemory(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) deviceTotalMem.invokeExact(v, dev), DEVICE_TOTAL_MEM.symbol());
            return v.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ contexts

    MemorySegment primaryContextRetain(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) primaryRetain.invokeExact(v, dev), PRIMARY_CTX_RETAIN.symbol());
            return v.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void primaryContextRelease(int dev) {
        try {
            check((int) primaryRelease.invokeExact(dev), PRIMARY_CTX_RELEASE.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void setCurrent(MemorySegment ctx) {
        try {
            check((int) ctxSetCurrent.invokeExact(ctx), CTX_SET_CURRENT.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void ctxSynchronize() {
        try {
            check((int) ctxSynchronize.invokeExact(), CTX_SYNCHRONIZE.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {free, total} bytes of the current context's device. */
    long[] memGetInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), t = a.allocate(JAVA_LONG);
            check((int) memGetInfo.invokeExact(f, t), MEM_GET_INFO.symbol());
            return new long[] {f.get(JAVA_LONG, 0), t.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
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
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) memHostAlloc.invokeExact(p, bytes, flags), MEM_HOST_ALLOC.symbol() + "(" + bytes + " bytes)");
            return p.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memFreeHost(MemorySegment p) {
        try {
            check((int) memFreeHost.invokeExact(p), MEM_FREE_HOST.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memcpyHtoD(long dst, MemorySegment src, long bytes) {
        try {
            check((int) memcpyHtoD.invokeExact(dst, src, bytes), MEMCPY_HTOD.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memcpyDtoH(MemorySegment dst, long src, long bytes) {
        try {
            check((int) memcpyDtoH.invokeExact(dst, src, bytes), MEMCPY_DTOH.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

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

    MemorySegment streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) streamCreate.invokeExact(p, flags), STREAM_CREATE.symbol());
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void streamDestroy(MemorySegment s) {
        try {
            check((int) streamDestroy.invokeExact(s), STREAM_DESTROY.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void streamSynchronize(MemorySegment s) {
        try {
            check((int) streamSynchronize.invokeExact(s), STREAM_SYNCHRONIZE.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment eventCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) eventCreate.invokeExact(p, flags), EVENT_CREATE.symbol());
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void eventDestroy(MemorySegment e) {
        try {
            check((int) eventDestroy.invokeExact(e), EVENT_DESTROY.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void eventRecord(MemorySegment e, MemorySegment stream) {
        try {
            check((int) eventRecord.invokeExact(e, stream), EVENT_RECORD.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void eventSynchronize(MemorySegment e) {
        try {
            check((int) eventSynchronize.invokeExact(e), EVENT_SYNCHRONIZE.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    float eventElapsedMs(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check((int) eventElapsed.invokeExact(ms, start, end), EVENT_ELAPSED.symbol());
            return ms.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ modules and launches

    MemorySegment moduleLoadData(MemorySegment image, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) moduleLoadData.invokeExact(p, image), MODULE_LOAD_DATA.symbol() + "(" + what + ")");
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void moduleUnload(MemorySegment m) {
        try {
            check((int) moduleUnload.invokeExact(m), MODULE_UNLOAD.symbol());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) moduleGetFunction.invokeExact(p, module, a.allocateFrom(name)),
                    MODULE_GET_FUNCTION.symbol() + "(" + name + ")");
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void funcSetAttribute(MemorySegment f, int attr, int value, String name) {
        try {
            check((int) funcSetAttribute.invokeExact(f, attr, value), FUNC_SET_ATTRIBUTE.symbol() + "(" + name + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int funcGetAttribute(MemorySegment f, int attr, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) funcGetAttribute.invokeExact(v, attr, f), FUNC_GET_ATTRIBUTE.symbol() + "(" + name + ")");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

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
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) occupancy.invokeExact(v, f, blockSize, smem), OCCUPANCY.symbol() + "(" + name + ")");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}

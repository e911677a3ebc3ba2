// The CUDA driver API and cuBLASLt subsets that ai.pulsemind.backend.cuda binds (CudaDriver, CublasLt), over host
// memory and the CPU emulator (runtime.cpp): built as libcuda.so.1 (+ libcublasLt.so.13 as a link to it) by
// java_emu.py, it lets the Java CUDA backend run its real launchers on the real kernel sources without a GPU.
// "Device" pointers are host addresses; streams are synchronous; a launch runs the kernel's blocks one by one.
// New device memory is filled with 0xff bytes (NaN for floats), so reading memory nobody wrote shows up.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

struct EmuKernel {
    const char* name;
    void (*call)(void**);
};
extern const EmuKernel emu_kernels[];
extern const int emu_kernel_count;
extern "C" int emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                          unsigned bz, unsigned smem, void** args);
extern "C" const char* emu_error();

namespace {
constexpr CUresult OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_FOUND = 500, LAUNCH_FAILED = 719;
constexpr size_t TOTAL = 16ull << 30;
size_t in_use = 0;
std::unordered_map<uintptr_t, size_t> live;  // address -> bytes
struct Func { std::string name; };
struct Event { double ms = 0; };
const char* last_error = "";

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

extern "C" {

CUresult cuInit(unsigned) { return OK; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }
CUresult cuGetErrorName(CUresult e, const char** s) {
    *s = e == OUT_OF_MEMORY ? "CUDA_ERROR_OUT_OF_MEMORY" : e == NOT_FOUND ? "CUDA_ERROR_NOT_FOUND"
         : e == LAUNCH_FAILED ? "CUDA_ERROR_LAUNCH_FAILED" : "CUDA_ERROR_INVALID_VALUE";
    return OK;
}
CUresult cuGetErrorString(CUresult, const char** s) { *s = last_error; return OK; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return OK; }
CUresult cuDeviceGet(int* d, int ordinal) { *d = ordinal; return ordinal == 0 ? OK : INVALID_VALUE; }
CUresult cuDeviceGetName(char* name, int len, int) {
    std::snprintf(name, (size_t)len, "PulseMind CPU emulator");
    return OK;
}
CUresult cuDeviceGetAttribute(int* v, int attr, int) {
    switch (attr) {
        case 1: *v = 1024; break;                // max threads per block
        case 16: *v = 8; break;                  // multiprocessors (few: grid-stride kernels run few blocks)
        case 38: *v = 4 << 20; break;            // L2 bytes
        case 75: *v = 9; break;                  // compute capability 9.0
        case 76: *v = 0; break;
        case 97: *v = 227 * 1024; break;         // max dynamic shared memory per block (opt-in), as an H100
        default: *v = 0;
    }
    return OK;
}
CUresult cuDeviceTotalMem_v2(size_t* b, int) { *b = TOTAL; return OK; }
CUresult cuDevicePrimaryCtxRetain(void** ctx, int) { *ctx = (void*)0x1; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return OK; }
CUresult cuCtxSetCurrent(void*) { return OK; }
CUresult cuCtxSynchronize() { return OK; }
CUresult cuMemGetInfo_v2(size_t* free_b, size_t* total) { *total = TOTAL; *free_b = TOTAL - in_use; return OK; }
CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    size_t n = (bytes + 255) / 256 * 256;
    if (n == 0) n = 256;
    if (in_use + n > TOTAL) return OUT_OF_MEMORY;
    void* m = std::aligned_alloc(256, n);
    if (!m) return OUT_OF_MEMORY;
    std::memset(m, 0xff, n);
    live[(uintptr_t)m] = n;
    in_use += n;
    *p = (CUdeviceptr)(uintptr_t)m;
    return OK;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
    auto it = live.find((uintptr_t)p);
    if (it == live.end()) { last_error = "cuMemFree of an address cuMemAlloc did not return"; return INVALID_VALUE; }
    in_use -= it->second;
    live.erase(it);
    std::free((void*)(uintptr_t)p);
    return OK;
}
CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned) { *p = std::malloc(bytes ? bytes : 1); return *p ? OK : OUT_OF_MEMORY; }
CUresult cuMemFreeHost(void* p) { std::free(p); return OK; }
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void* s, size_t n) { std::memcpy((void*)(uintptr_t)d, s, n); return OK; }
CUresult cuMemcpyDtoH_v2(void* d, CUdeviceptr s, size_t n) { std::memcpy(d, (const void*)(uintptr_t)s, n); return OK; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* s, size_t n, void*) { return cuMemcpyHtoD_v2(d, s, n); }
CUresult cuMemcpyDtoHAsync_v2(void* d, CUdeviceptr s, size_t n, void*) { return cuMemcpyDtoH_v2(d, s, n); }
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr s, size_t n, void*) {
    std::memmove((void*)(uintptr_t)d, (const void*)(uintptr_t)s, n);
    return OK;
}
CUresult cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, void*) { std::memset((void*)(uintptr_t)d, v, n); return OK; }
CUresult cuMemsetD16Async(CUdeviceptr d, unsigned short v, size_t n, void*) {
    auto* p = (unsigned short*)(uintptr_t)d;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return OK;
}
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned v, size_t n, void*) {
    auto* p = (unsigned*)(uintptr_t)d;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return OK;
}
CUresult cuStreamCreate(void** s, unsigned) { *s = new int(0); return OK; }
CUresult cuStreamDestroy_v2(void* s) { delete (int*)s; return OK; }
CUresult cuStreamSynchronize(void*) { return OK; }
CUresult cuEventCreate(void** e, unsigned) { *e = new Event(); return OK; }
CUresult cuEventDestroy_v2(void* e) { delete (Event*)e; return OK; }
CUresult cuEventRecord(void* e, void*) { ((Event*)e)->ms = now_ms(); return OK; }
CUresult cuEventSynchronize(void*) { return OK; }
CUresult cuEventElapsedTime_v2(float* ms, void* a, void* b) { *ms = (float)(((Event*)b)->ms - ((Event*)a)->ms); return OK; }
CUresult cuEventElapsedTime(float* ms, void* a, void* b) { return cuEventElapsedTime_v2(ms, a, b); }
CUresult cuModuleLoadData(void** m, const void*) { *m = new int(0); return OK; }
CUresult cuModuleUnload(void* m) { delete (int*)m; return OK; }
CUresult cuModuleGetFunction(void** f, void*, const char* name) {
    for (int i = 0; i < emu_kernel_count; i++)
        if (std::strcmp(emu_kernels[i].name, name) == 0) {
            *f = new Func{name};
            return OK;
        }
    last_error = "no such kernel in the emulator";
    return NOT_FOUND;
}
CUresult cuFuncSetAttribute(void*, int, int) { return OK; }
CUresult cuFuncGetAttribute(int* v, int, void*) { *v = 0; return OK; }
CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, void*, void** params, void**) {
    const std::string& name = ((Func*)f)->name;
    if (smem > 227 * 1024) { last_error = "dynamic shared memory above the device's limit"; return INVALID_VALUE; }
    int rc = emu_launch(name.c_str(), gx, gy, gz, bx, by, bz, smem, params);
    if (rc != 0) {
        std::fprintf(stderr, "[emu] %s: %s\n", name.c_str(), emu_error());
        last_error = emu_error();
        return LAUNCH_FAILED;
    }
    return OK;
}
CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* n, void*, int, size_t) { *n = 1; return OK; }

}  // extern "C"

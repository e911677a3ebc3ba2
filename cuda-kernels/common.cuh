// Shared device helpers for the PulseMind kernels: dtype conversions, 16-byte packs, block reductions,
// and the launch-geometry conventions every family follows.
//
// Conventions (the Java launcher in ai.pulsemind.backend.cuda relies on them):
// - every kernel is extern "C" and named pm_<op>[_<dtype>...], so the driver API finds it by name;
// - element counts are long long (tensors may exceed 2^31 elements), row widths are int;
// - memory-bound kernels use grid-stride loops over 16-byte packs when every pointer is 16-byte aligned
//   (device allocations are 256-byte aligned; views with odd offsets take the scalar path), plus a scalar tail;
// - arithmetic is in float whatever the storage dtype (bf16 storage, f32 accumulation);
// - reductions run in a fixed order for a given launch geometry, so results repeat bit for bit.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

typedef __nv_bfloat16 bf16;

__device__ __forceinline__ float to_f(float x) { return x; }
__device__ __forceinline__ float to_f(bf16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float to_f(__half x) { return __half2float(x); }

template <typename T> __device__ __forceinline__ T from_f(float x);
template <> __device__ __forceinline__ float from_f<float>(float x) { return x; }
// Round to nearest even, as Half.floatToBf16 on the host and PyTorch do.
template <> __device__ __forceinline__ bf16 from_f<bf16>(float x) { return __float2bfloat16_rn(x); }
template <> __device__ __forceinline__ __half from_f<__half>(float x) { return __float2half_rn(x); }

// A 16-byte pack of T: 4 floats or 8 bf16. Loads and stores compile to single 128-bit accesses.
template <typename T> struct alignas(16) Pack {
    static constexpr int N = 16 / sizeof(T);
    T v[N];
};

template <typename T> __device__ __forceinline__ Pack<T> ld16(const T* p) {
    Pack<T> r;
    *reinterpret_cast<uint4*>(&r) = __ldg(reinterpret_cast<const uint4*>(p));
    return r;
}

// Plain (non-read-only-cache) 16-byte load, for buffers the same kernel also writes (in-place ops).
template <typename T> __device__ __forceinline__ Pack<T> ld16rw(const T* p) {
    Pack<T> r;
    *reinterpret_cast<uint4*>(&r) = *reinterpret_cast<const uint4*>(p);
    return r;
}

template <typename T> __device__ __forceinline__ void st16(T* p, const Pack<T>& v) {
    *reinterpret_cast<uint4*>(p) = *reinterpret_cast<const uint4*>(&v);
}

__device__ __forceinline__ bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15) == 0; }

__device__ __forceinline__ long long global_tid() { return (long long)blockIdx.x * blockDim.x + threadIdx.x; }

__device__ __forceinline__ long long grid_stride() { return (long long)gridDim.x * blockDim.x; }

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// `scratch` holds 32 floats of shared memory; the trailing barrier makes it safe to call again at once.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float r = lane < warps ? scratch[lane] : 0.f;
    r = warp_sum(r);
    __syncthreads();
    return r;
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float r = lane < warps ? scratch[lane] : -INFINITY;
    r = warp_max(r);
    __syncthreads();
    return r;
}

// Device-side error word, shared with the host (CudaBackend checks it at every synchronisation point):
// {code, position, value}; the first failing thread wins.
#define PM_ERR_INDEX 1
#define PM_ERR_SCATTER_INDEX 3
__device__ __forceinline__ void report_error(int* err, int code, long long position, long long value) {
    if (err == nullptr) return;
    if (atomicCAS(err, 0, code) == 0) {
        reinterpret_cast<long long*>(err)[1] = position;
        reinterpret_cast<long long*>(err)[2] = value;
    }
}

// W consecutive elements as floats: one 16-byte access when W is the pack width, a scalar access when W == 1.
// Row kernels are templated on W and dispatched once per launch (vectorised when the row length and every
// pointer allow it), so the inner loops carry no alignment branches.
template <typename T, int W> __device__ __forceinline__ void load_w(const T* p, float (&v)[W]) {
    if constexpr (W == 1) {
        v[0] = to_f(*p);
    } else {
        static_assert(W == Pack<T>::N, "W is 1 or the pack width");
        Pack<T> q = ld16rw(p);
#pragma unroll
        for (int k = 0; k < W; k++) v[k] = to_f(q.v[k]);
    }
}
template <typename T, int W> __device__ __forceinline__ void store_w(T* p, const float (&v)[W]) {
    if constexpr (W == 1) {
        *p = from_f<T>(v[0]);
    } else {
        Pack<T> q;
#pragma unroll
        for (int k = 0; k < W; k++) q.v[k] = from_f<T>(v[k]);
        st16(p, q);
    }
}

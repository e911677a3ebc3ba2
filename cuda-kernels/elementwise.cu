// Elementwise arithmetic: add and mul (with suffix broadcast of the second operand), scale, axpy, and a
// 64-bit fill (2- and 4-byte fills use cuMemsetD16/D32). Memory-bound: 16-byte packs, grid-stride loops.
#include "common.cuh"

// out[i] = op(a[i], b[i % nb]); b broadcasts when its shape is a suffix of a's (nb divides n).
template <typename T, typename Op>
__device__ void binary(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, long long n,
                       long long nb, Op op) {
    constexpr int V = Pack<T>::N;
    long long packs = n / V, tid = global_tid(), stride = grid_stride();
    bool vec = aligned16(a) && aligned16(b) && aligned16(out) && (nb == n || nb % V == 0);
    if (vec) {
        for (long long p = tid; p < packs; p += stride) {
            long long i = p * V;
            Pack<T> x = ld16(a + i), y = ld16(b + (nb == n ? i : i % nb)), r;
#pragma unroll
            for (int k = 0; k < V; k++) r.v[k] = from_f<T>(op(to_f(x.v[k]), to_f(y.v[k])));
            st16(out + i, r);
        }
    }
    for (long long i = (vec ? packs * V : 0) + tid; i < n; i += stride)
        out[i] = from_f<T>(op(to_f(a[i]), to_f(b[nb == n ? i : i % nb])));
}

struct AddOp { __device__ float operator()(float x, float y) const { return x + y; } };
struct MulOp { __device__ float operator()(float x, float y) const { return x * y; } };

#define PM_BINARY(NAME, T, OP)                                                                              \
    extern "C" __global__ void NAME(const T* a, const T* b, T* out, long long n, long long nb) {           \
        binary<T>(a, b, out, n, nb, OP());                                                                  \
    }
PM_BINARY(pm_add_f32, float, AddOp)
PM_BINARY(pm_add_bf16, bf16, AddOp)
PM_BINARY(pm_mul_f32, float, MulOp)
PM_BINARY(pm_mul_bf16, bf16, MulOp)

// out = s * x (out may alias x)
template <typename T>
__device__ void scale(const T* x, float s, T* out, long long n) {
    constexpr int V = Pack<T>::N;
    long long packs = n / V, tid = global_tid(), stride = grid_stride();
    bool vec = aligned16(x) && aligned16(out);
    if (vec) {
        for (long long p = tid; p < packs; p += stride) {
            Pack<T> v = ld16rw(x + p * V), r;
#pragma unroll
            for (int k = 0; k < V; k++) r.v[k] = from_f<T>(s * to_f(v.v[k]));
            st16(out + p * V, r);
        }
    }
    for (long long i = (vec ? packs * V : 0) + tid; i < n; i += stride) out[i] = from_f<T>(s * to_f(x[i]));
}
extern "C" __global__ void pm_scale_f32(const float* x, float s, float* out, long long n) { scale(x, s, out, n); }
extern "C" __global__ void pm_scale_bf16(const bf16* x, float s, bf16* out, long long n) { scale(x, s, out, n); }

// y += alpha * x, x and y of independent dtypes (e.g. a bf16 gradient into an f32 accumulator).
// Packs of 4 elements: 16 bytes of f32 or 8 of bf16 per access.
template <typename X, typename Y>
__device__ void axpy(float alpha, const X* __restrict__ x, Y* __restrict__ y, long long n) {
    long long quads = n / 4, tid = global_tid(), stride = grid_stride();
    bool vec = ((reinterpret_cast<uintptr_t>(x) | reinterpret_cast<uintptr_t>(y)) & 15) == 0;
    if (vec) {
        for (long long q = tid; q < quads; q += stride) {
            long long i = q * 4;
            alignas(16) X xs[4];  // reinterpreted as one 8- or 16-byte access
            alignas(16) Y ys[4];
            if (sizeof(X) == 4) *reinterpret_cast<uint4*>(xs) = __ldg(reinterpret_cast<const uint4*>(x + i));
            else *reinterpret_cast<uint2*>(xs) = __ldg(reinterpret_cast<const uint2*>(x + i));
            if (sizeof(Y) == 4) *reinterpret_cast<uint4*>(ys) = *reinterpret_cast<const uint4*>(y + i);
            else *reinterpret_cast<uint2*>(ys) = *reinterpret_cast<const uint2*>(y + i);
#pragma unroll
            for (int k = 0; k < 4; k++) ys[k] = from_f<Y>(to_f(ys[k]) + alpha * to_f(xs[k]));
            if (sizeof(Y) == 4) *reinterpret_cast<uint4*>(y + i) = *reinterpret_cast<const uint4*>(ys);
            else *reinterpret_cast<uint2*>(y + i) = *reinterpret_cast<const uint2*>(ys);
        }
    }
    for (long long i = (vec ? quads * 4 : 0) + tid; i < n; i += stride) y[i] = from_f<Y>(to_f(y[i]) + alpha * to_f(x[i]));
}
#define PM_AXPY(NAME, X, Y) \
    extern "C" __global__ void NAME(float alpha, const X* x, Y* y, long long n) { axpy<X, Y>(alpha, x, y, n); }
PM_AXPY(pm_axpy_f32_f32, float, float)
PM_AXPY(pm_axpy_bf16_f32, bf16, float)
PM_AXPY(pm_axpy_f32_bf16, float, bf16)
PM_AXPY(pm_axpy_bf16_bf16, bf16, bf16)

// dst[i] = bits, for 8-byte dtypes (I64); the driver's memset covers 1, 2 and 4 bytes.
extern "C" __global__ void pm_fill_b64(unsigned long long* dst, unsigned long long bits, long long n) {
    for (long long i = global_tid(); i < n; i += grid_stride()) dst[i] = bits;
}

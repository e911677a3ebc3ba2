// Dtype conversions between F32, BF16, F16, I32 and I64, with the host reference's semantics:
// floats round to nearest even; float -> int truncates toward zero, saturates, and maps NaN to 0 (Java's cast);
// I32 -> I64 widens; I64 -> I32 keeps the low 32 bits (the host reference refuses values out of range instead).
// Each thread converts 8 consecutive elements, loaded and stored as 16-byte pieces when aligned.
#include "common.cuh"

template <typename S, typename D> struct Cvt {
    __device__ static D f(S s) { return from_f<D>(to_f(s)); }
};
__device__ __forceinline__ long long f2ll(float x) {
    if (isnan(x)) return 0;
    if (x >= 9.2233720368547758e18f) return 9223372036854775807LL;
    if (x <= -9.2233720368547758e18f) return (-9223372036854775807LL - 1);
    return (long long)x;
}
__device__ __forceinline__ int f2i(float x) {
    if (isnan(x)) return 0;
    if (x >= 2147483647.f) return 2147483647;
    if (x <= -2147483648.f) return (-2147483647 - 1);
    return (int)x;
}
#define PM_CVT_INT_DST(S)                                                                         \
    template <> struct Cvt<S, int> { __device__ static int f(S s) { return f2i(to_f(s)); } };     \
    template <> struct Cvt<S, long long> { __device__ static long long f(S s) { return f2ll(to_f(s)); } };
PM_CVT_INT_DST(float)
PM_CVT_INT_DST(bf16)
PM_CVT_INT_DST(__half)
#define PM_CVT_INT_SRC(I)                                                                                  \
    template <> struct Cvt<I, float> { __device__ static float f(I s) { return (float)s; } };              \
    template <> struct Cvt<I, bf16> { __device__ static bf16 f(I s) { return __float2bfloat16_rn((float)s); } }; \
    template <> struct Cvt<I, __half> { __device__ static __half f(I s) { return __float2half_rn((float)s); } };
PM_CVT_INT_SRC(int)
PM_CVT_INT_SRC(long long)
template <> struct Cvt<int, long long> { __device__ static long long f(int s) { return s; } };
template <> struct Cvt<long long, int> { __device__ static int f(long long s) { return (int)s; } };
template <> struct Cvt<int, int> { __device__ static int f(int s) { return s; } };
template <> struct Cvt<long long, long long> { __device__ static long long f(long long s) { return s; } };

// Loads or stores 8 elements of T (8 * sizeof(T) bytes: 16, 32 or 64) as 16-byte pieces.
template <typename T> __device__ __forceinline__ void ld8(const T* p, T (&v)[8]) {
#pragma unroll
    for (int k = 0; k < (int)(8 * sizeof(T) / 16); k++)
        reinterpret_cast<uint4*>(v)[k] = __ldg(reinterpret_cast<const uint4*>(p) + k);
}
template <typename T> __device__ __forceinline__ void st8(T* p, const T (&v)[8]) {
#pragma unroll
    for (int k = 0; k < (int)(8 * sizeof(T) / 16); k++)
        reinterpret_cast<uint4*>(p)[k] = reinterpret_cast<const uint4*>(v)[k];
}

template <typename S, typename D>
__device__ void convert(const S* __restrict__ src, D* __restrict__ dst, long long n) {
    long long octs = n / 8, tid = global_tid(), stride = grid_stride();
    bool vec = aligned16(src) && aligned16(dst);
    if (vec) {
        for (long long q = tid; q < octs; q += stride) {
            alignas(16) S s[8];  // moved as 16-byte pieces
            alignas(16) D d[8];
            ld8(src + q * 8, s);
#pragma unroll
            for (int k = 0; k < 8; k++) d[k] = Cvt<S, D>::f(s[k]);
            st8(dst + q * 8, d);
        }
    }
    for (long long i = (vec ? octs * 8 : 0) + tid; i < n; i += stride) dst[i] = Cvt<S, D>::f(src[i]);
}

#define PM_CONVERT(SN, S, DN, D) \
    extern "C" __global__ void pm_convert_##SN##_##DN(const S* src, D* dst, long long n) { convert<S, D>(src, dst, n); }
#define PM_CONVERT_FROM(SN, S)                                  \
    PM_CONVERT(SN, S, f32, float)                               \
    PM_CONVERT(SN, S, bf16, bf16)                               \
    PM_CONVERT(SN, S, f16, __half)                              \
    PM_CONVERT(SN, S, i32, int)                                 \
    PM_CONVERT(SN, S, i64, long long)
PM_CONVERT_FROM(f32, float)
PM_CONVERT_FROM(bf16, bf16)
PM_CONVERT_FROM(f16, __half)
PM_CONVERT_FROM(i32, int)
PM_CONVERT_FROM(i64, long long)

// Strided copy of any rank <= 8 (device to device), element size 1, 2, 4 or 8 bytes: the general case of
// Backend.copy when a side is a non-contiguous view. One thread per element of the logical shape.
struct Strided {
    long long shape[8];
    long long src_stride[8];
    long long dst_stride[8];
    long long src_offset, dst_offset;  // in elements
    int rank;
};
template <typename T>
__device__ void strided_copy(const T* __restrict__ src, T* __restrict__ dst, long long n, const Strided& s) {
    for (long long i = global_tid(); i < n; i += grid_stride()) {
        long long rem = i, so = s.src_offset, dof = s.dst_offset;
        for (int d = s.rank - 1; d >= 0; d--) {
            long long idx = rem % s.shape[d];
            rem /= s.shape[d];
            so += idx * s.src_stride[d];
            dof += idx * s.dst_stride[d];
        }
        dst[dof] = src[so];
    }
}
#define PM_STRIDED(NAME, T) \
    extern "C" __global__ void NAME(const T* src, T* dst, long long n, Strided s) { strided_copy<T>(src, dst, n, s); }
PM_STRIDED(pm_strided_copy_b1, unsigned char)
PM_STRIDED(pm_strided_copy_b2, unsigned short)
PM_STRIDED(pm_strided_copy_b4, unsigned int)
PM_STRIDED(pm_strided_copy_b8, unsigned long long)

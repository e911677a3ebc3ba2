// Activations and their backward passes: SiLU, GELU (erf and tanh forms), SwiGLU. Memory-bound; the same
// 16-byte pack loop as elementwise.cu, with the math in float.
#include "common.cuh"

__device__ __forceinline__ float sigmoidf_(float x) { return 1.f / (1.f + expf(-x)); }
__device__ __forceinline__ float silu_f(float x) { return x * sigmoidf_(x); }
__device__ __forceinline__ float silu_grad(float x) {
    float s = sigmoidf_(x);
    return s * (1.f + x * (1.f - s));
}

#define PM_SQRT_2_OVER_PI 0.7978845608028654f
#define PM_INV_SQRT_2 0.7071067811865476f
#define PM_INV_SQRT_2PI 0.3989422804014327f

__device__ __forceinline__ float gelu_f(float x, int tanh_approx) {
    if (tanh_approx) return 0.5f * x * (1.f + tanhf(PM_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x)));
    return 0.5f * x * (1.f + erff(x * PM_INV_SQRT_2));
}

__device__ __forceinline__ float gelu_grad(float x, int tanh_approx) {
    if (tanh_approx) {
        float u = PM_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
        float t = tanhf(u);
        float du = PM_SQRT_2_OVER_PI * (1.f + 3.f * 0.044715f * x * x);
        return 0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * du;
    }
    return 0.5f * (1.f + erff(x * PM_INV_SQRT_2)) + x * PM_INV_SQRT_2PI * expf(-0.5f * x * x);
}

// out[i] = f(in0[i], in1[i], in2[i]) over up to three inputs and two outputs, 16-byte packs when aligned.
// Unused inputs/outputs are null and never touched (the functor ignores them).
template <typename T, typename F>
__device__ void map(const T* __restrict__ i0, const T* __restrict__ i1, const T* __restrict__ i2,
                    T* __restrict__ o0, T* __restrict__ o1, long long n, F f) {
    constexpr int V = Pack<T>::N;
    long long packs = n / V, tid = global_tid(), stride = grid_stride();
    bool vec = aligned16(i0) && aligned16(i1) && aligned16(i2) && aligned16(o0) && aligned16(o1);
    if (vec) {
        for (long long p = tid; p < packs; p += stride) {
            long long e = p * V;
            Pack<T> a = ld16(i0 + e), b, c, r0, r1;
            if (i1) b = ld16(i1 + e);
            if (i2) c = ld16(i2 + e);
#pragma unroll
            for (int k = 0; k < V; k++) {
                float y0, y1;
                f(to_f(a.v[k]), i1 ? to_f(b.v[k]) : 0.f, i2 ? to_f(c.v[k]) : 0.f, y0, y1);
                r0.v[k] = from_f<T>(y0);
                r1.v[k] = from_f<T>(y1);
            }
            st16(o0 + e, r0);
            if (o1) st16(o1 + e, r1);
        }
    }
    for (long long e = (vec ? packs * V : 0) + tid; e < n; e += stride) {
        float y0, y1;
        f(to_f(i0[e]), i1 ? to_f(i1[e]) : 0.f, i2 ? to_f(i2[e]) : 0.f, y0, y1);
        o0[e] = from_f<T>(y0);
        if (o1) o1[e] = from_f<T>(y1);
    }
}

struct Silu { __device__ void operator()(float x, float, float, float& y, float&) const { y = silu_f(x); } };
struct SiluBwd { __device__ void operator()(float x, float d, float, float& y, float&) const { y = d * silu_grad(x); } };
struct Gelu {
    int t;
    __device__ void operator()(float x, float, float, float& y, float&) const { y = gelu_f(x, t); }
};
struct GeluBwd {
    int t;
    __device__ void operator()(float x, float d, float, float& y, float&) const { y = d * gelu_grad(x, t); }
};
struct Swiglu { __device__ void operator()(float g, float u, float, float& y, float&) const { y = silu_f(g) * u; } };
struct SwigluBwd {
    __device__ void operator()(float g, float u, float d, float& dg, float& du) const {
        dg = d * u * silu_grad(g);
        du = d * silu_f(g);
    }
};

#define PM_ACT(T, S)                                                                                         \
    extern "C" __global__ void pm_silu_##S(const T* x, T* out, long long n) {                               \
        map<T>(x, nullptr, nullptr, out, nullptr, n, Silu());                                               \
    }                                                                                                       \
    extern "C" __global__ void pm_silu_bwd_##S(const T* x, const T* dout, T* dx, long long n) {             \
        map<T>(x, dout, nullptr, dx, nullptr, n, SiluBwd());                                                \
    }                                                                                                       \
    extern "C" __global__ void pm_gelu_##S(const T* x, T* out, long long n, int tanh_approx) {              \
        map<T>(x, nullptr, nullptr, out, nullptr, n, Gelu{tanh_approx});                                    \
    }                                                                                                       \
    extern "C" __global__ void pm_gelu_bwd_##S(const T* x, const T* dout, T* dx, long long n, int tanh_approx) { \
        map<T>(x, dout, nullptr, dx, nullptr, n, GeluBwd{tanh_approx});                                     \
    }                                                                                                       \
    extern "C" __global__ void pm_swiglu_##S(const T* gate, const T* up, T* out, long long n) {             \
        map<T>(gate, up, nullptr, out, nullptr, n, Swiglu());                                               \
    }                                                                                                       \
    extern "C" __global__ void pm_swiglu_bwd_##S(const T* gate, const T* up, const T* dout, T* dgate, T* dup, \
                                                 long long n) {                                             \
        map<T>(gate, up, dout, dgate, dup, n, SwigluBwd());                                                 \
    }
PM_ACT(float, f32)
PM_ACT(bf16, bf16)

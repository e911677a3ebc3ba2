// Rotary embeddings: the cos/sin table builder for any RopeSpec (1-D, M-RoPE, 2-D vision) and one rotate-half
// kernel for all of them; the backward is the same rotation with the angle negated (sign = -1).
#include "common.cuh"

// positions (A, N) I32; axis, inv_freq (half); cos, sin (N, half) F32.
// The angle is a float product (as transformers computes inv_freq.float() @ positions.float()); cosf/sinf
// are the accurate (non-intrinsic) versions, with full range reduction for large positions.
extern "C" __global__ void pm_rope_table(const int* __restrict__ positions, const int* __restrict__ axis,
                                         const float* __restrict__ inv_freq, float* __restrict__ cos_t,
                                         float* __restrict__ sin_t, long long n, int half) {
    long long total = n * half;
    for (long long i = global_tid(); i < total; i += grid_stride()) {
        long long t = i / half;
        int j = (int)(i - t * half);
        float angle = (float)positions[(long long)axis[j] * n + t] * inv_freq[j];
        float s, c;
        sincosf(angle, &s, &c);
        cos_t[i] = c;
        sin_t[i] = s;
    }
}

template <int W> __device__ __forceinline__ void load_f32(const float* p, float (&v)[W]) {
    if constexpr (W % 4 == 0) {
#pragma unroll
        for (int k = 0; k < W / 4; k++) reinterpret_cast<float4*>(v)[k] = __ldg(reinterpret_cast<const float4*>(p) + k);
    } else {
#pragma unroll
        for (int k = 0; k < W; k++) v[k] = p[k];
    }
}

// x, out (N, H, D); cos, sin (N, D/2). Thread i handles pairs (j, j + D/2) for W consecutive j of one (n, h).
// out may alias x: each thread reads both halves of its pairs before writing them.
template <typename T, int W>
__device__ void rope(const T* x, const float* __restrict__ cos_t, const float* __restrict__ sin_t, T* out,
                     long long n, int heads, int d, float sign) {
    int half = d / 2, groups = half / W;
    long long total = n * heads * groups;
    for (long long i = global_tid(); i < total; i += grid_stride()) {
        long long row = i / groups;  // (t, h)
        int j = (int)(i - row * groups) * W;
        long long t = row / heads;
        const T* xr = x + row * d;
        alignas(16) float a[W], b[W], c[W], s[W], o1[W], o2[W];
        load_w<T, W>(xr + j, a);
        load_w<T, W>(xr + j + half, b);
        load_f32<W>(cos_t + t * half + j, c);
        load_f32<W>(sin_t + t * half + j, s);
#pragma unroll
        for (int k = 0; k < W; k++) {
            float sk = sign * s[k];
            o1[k] = a[k] * c[k] - b[k] * sk;
            o2[k] = b[k] * c[k] + a[k] * sk;
        }
        store_w<T, W>(out + row * d + j, o1);
        store_w<T, W>(out + row * d + j + half, o2);
    }
}

// `vec` (host-computed): D/2 is a multiple of the pack width and the pointers are 16-byte aligned.
#define PM_ROPE(T, S)                                                                                        \
    extern "C" __global__ void pm_rope_##S(const T* x, const float* cos_t, const float* sin_t, T* out,       \
                                           long long n, int heads, int d, float sign, int vec) {             \
        if (vec) rope<T, Pack<T>::N>(x, cos_t, sin_t, out, n, heads, d, sign);                               \
        else rope<T, 1>(x, cos_t, sin_t, out, n, heads, d, sign);                                            \
    }
PM_ROPE(float, f32)
PM_ROPE(bf16, bf16)

// RMSNorm and LayerNorm over the last dim of (R, C) rows, forward and backward, and row softmax.
// Forward: one block per row, statistics in float, saved per row (rstd, mean) for the backward.
// Backward: a fixed number of row chunks (one block each, min(R, 256)); each block accumulates its rows'
// dw (and db) in shared memory, each column owned by one thread (no atomics), and writes them as partials
// (chunks, C) that pm_reduce_chunks adds into dw in chunk order: deterministic, independent of the device.
#include "common.cuh"

// ---------------------------------------------------------------- RMSNorm

template <typename T, int W>
__device__ void rmsnorm(const T* __restrict__ x, const T* __restrict__ w, float eps, T* __restrict__ out,
                        float* __restrict__ rstd, int C) {
    __shared__ float scratch[32];
    long long r = blockIdx.x;
    const T* xr = x + r * C;
    T* yr = out + r * C;
    float ss = 0.f;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W];
        load_w<T, W>(xr + j, v);
#pragma unroll
        for (int k = 0; k < W; k++) ss += v[k] * v[k];
    }
    float rs = rsqrtf(block_sum(ss, scratch) / C + eps);
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W], g[W];
        load_w<T, W>(xr + j, v);
        load_w<T, W>(w + j, g);
#pragma unroll
        for (int k = 0; k < W; k++) v[k] = v[k] * rs * g[k];
        store_w<T, W>(yr + j, v);
    }
    if (threadIdx.x == 0) rstd[r] = rs;
}

template <typename T, int W>
__device__ void rmsnorm_bwd(const T* __restrict__ x, const T* __restrict__ w, const float* __restrict__ rstd,
                            const T* __restrict__ dout, T* __restrict__ dx, float* __restrict__ partials,
                            long long rows, int C) {
    extern __shared__ float dw_s[];  // (C) this chunk's dw
    __shared__ float scratch[32];
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W)
#pragma unroll
        for (int k = 0; k < W; k++) dw_s[j + k] = 0.f;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T *xr = x + r * C, *dr = dout + r * C;
        float rs = rstd[r], dot = 0.f;
        for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
            float v[W], g[W], d[W];
            load_w<T, W>(xr + j, v);
            load_w<T, W>(w + j, g);
            load_w<T, W>(dr + j, d);
#pragma unroll
            for (int k = 0; k < W; k++) dot += g[k] * d[k] * v[k];
        }
        dot = block_sum(dot, scratch);
        float c2 = rs * rs * dot / C;
        for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
            float v[W], g[W], d[W], o[W];
            load_w<T, W>(xr + j, v);
            load_w<T, W>(w + j, g);
            load_w<T, W>(dr + j, d);
#pragma unroll
            for (int k = 0; k < W; k++) {
                o[k] = rs * (g[k] * d[k] - v[k] * c2);
                dw_s[j + k] += d[k] * v[k] * rs;
            }
            store_w<T, W>(dx + r * C + j, o);
        }
    }
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W)
#pragma unroll
        for (int k = 0; k < W; k++) partials[(long long)blockIdx.x * C + j + k] = dw_s[j + k];
}

// ---------------------------------------------------------------- LayerNorm

template <typename T, int W>
__device__ void layernorm(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b, float eps,
                          T* __restrict__ out, float* __restrict__ mean, float* __restrict__ rstd, int C) {
    __shared__ float scratch[32];
    long long r = blockIdx.x;
    const T* xr = x + r * C;
    float s = 0.f;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W];
        load_w<T, W>(xr + j, v);
#pragma unroll
        for (int k = 0; k < W; k++) s += v[k];
    }
    float mu = block_sum(s, scratch) / C, var = 0.f;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {  // two-pass variance: no cancellation
        float v[W];
        load_w<T, W>(xr + j, v);
#pragma unroll
        for (int k = 0; k < W; k++) var += (v[k] - mu) * (v[k] - mu);
    }
    float rs = rsqrtf(block_sum(var, scratch) / C + eps);
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W], g[W], h[W];
        load_w<T, W>(xr + j, v);
        load_w<T, W>(w + j, g);
        load_w<T, W>(b + j, h);
#pragma unroll
        for (int k = 0; k < W; k++) v[k] = (v[k] - mu) * rs * g[k] + h[k];
        store_w<T, W>(out + r * C + j, v);
    }
    if (threadIdx.x == 0) {
        mean[r] = mu;
        rstd[r] = rs;
    }
}

template <typename T, int W>
__device__ void layernorm_bwd(const T* __restrict__ x, const T* __restrict__ w, const float* __restrict__ mean,
                              const float* __restrict__ rstd, const T* __restrict__ dout, T* __restrict__ dx,
                              float* __restrict__ partials_w, float* __restrict__ partials_b, long long rows, int C) {
    extern __shared__ float acc_s[];  // (2C): this chunk's dw then db
    __shared__ float scratch[32];
    float *dw_s = acc_s, *db_s = acc_s + C;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W)
#pragma unroll
        for (int k = 0; k < W; k++) dw_s[j + k] = db_s[j + k] = 0.f;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T *xr = x + r * C, *dr = dout + r * C;
        float mu = mean[r], rs = rstd[r], sd = 0.f, sdx = 0.f;
        for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
            float v[W], g[W], d[W];
            load_w<T, W>(xr + j, v);
            load_w<T, W>(w + j, g);
            load_w<T, W>(dr + j, d);
#pragma unroll
            for (int k = 0; k < W; k++) {
                float dxh = d[k] * g[k];
                sd += dxh;
                sdx += dxh * (v[k] - mu) * rs;
            }
        }
        sd = block_sum(sd, scratch) / C;
        sdx = block_sum(sdx, scratch) / C;
        for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
            float v[W], g[W], d[W], o[W];
            load_w<T, W>(xr + j, v);
            load_w<T, W>(w + j, g);
            load_w<T, W>(dr + j, d);
#pragma unroll
            for (int k = 0; k < W; k++) {
                float xh = (v[k] - mu) * rs;
                o[k] = rs * (d[k] * g[k] - sd - xh * sdx);
                dw_s[j + k] += d[k] * xh;
                db_s[j + k] += d[k];
            }
            store_w<T, W>(dx + r * C + j, o);
        }
    }
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W)
#pragma unroll
        for (int k = 0; k < W; k++) {
            partials_w[(long long)blockIdx.x * C + j + k] = dw_s[j + k];
            partials_b[(long long)blockIdx.x * C + j + k] = db_s[j + k];
        }
}

// ---------------------------------------------------------------- softmax

template <typename T, int W>
__device__ void softmax(const T* __restrict__ x, T* __restrict__ out, int C) {
    __shared__ float scratch[32];
    long long r = blockIdx.x;
    const T* xr = x + r * C;
    float m = -INFINITY;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W];
        load_w<T, W>(xr + j, v);
#pragma unroll
        for (int k = 0; k < W; k++) m = fmaxf(m, v[k]);
    }
    m = block_max(m, scratch);
    float s = 0.f;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W];
        load_w<T, W>(xr + j, v);
#pragma unroll
        for (int k = 0; k < W; k++) s += expf(v[k] - m);
    }
    float inv = 1.f / block_sum(s, scratch);
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float v[W];
        load_w<T, W>(xr + j, v);
#pragma unroll
        for (int k = 0; k < W; k++) v[k] = expf(v[k] - m) * inv;
        store_w<T, W>(out + r * C + j, v);
    }
}

template <typename T, int W>
__device__ void softmax_bwd(const T* __restrict__ y, const T* __restrict__ dy, T* __restrict__ dx, int C) {
    __shared__ float scratch[32];
    long long o = (long long)blockIdx.x * C;
    float dot = 0.f;
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float a[W], b[W];
        load_w<T, W>(y + o + j, a);
        load_w<T, W>(dy + o + j, b);
#pragma unroll
        for (int k = 0; k < W; k++) dot += a[k] * b[k];
    }
    dot = block_sum(dot, scratch);
    for (int j = threadIdx.x * W; j < C; j += blockDim.x * W) {
        float a[W], b[W];
        load_w<T, W>(y + o + j, a);
        load_w<T, W>(dy + o + j, b);
#pragma unroll
        for (int k = 0; k < W; k++) a[k] = a[k] * (b[k] - dot);
        store_w<T, W>(dx + o + j, a);
    }
}

// ---------------------------------------------------------------- entry points
// `vec` (host-computed): C is a multiple of the pack width and every pointer is 16-byte aligned.
// One block per row with up to 1024 threads: __launch_bounds__ keeps registers within what such a block may use.

#define PM_NORMS(T, S)                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) pm_rmsnorm_##S(const T* x, const T* w, float eps, T* out, float* rstd, int C,    \
                                              int vec) {                                                       \
        if (vec) rmsnorm<T, Pack<T>::N>(x, w, eps, out, rstd, C);                                              \
        else rmsnorm<T, 1>(x, w, eps, out, rstd, C);                                                           \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) pm_rmsnorm_bwd_##S(const T* x, const T* w, const float* rstd, const T* dout,     \
                                                  T* dx, float* partials, long long rows, int C, int vec) {    \
        if (vec) rmsnorm_bwd<T, Pack<T>::N>(x, w, rstd, dout, dx, partials, rows, C);                          \
        else rmsnorm_bwd<T, 1>(x, w, rstd, dout, dx, partials, rows, C);                                       \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) pm_layernorm_##S(const T* x, const T* w, const T* b, float eps, T* out,          \
                                                float* mean, float* rstd, int C, int vec) {                    \
        if (vec) layernorm<T, Pack<T>::N>(x, w, b, eps, out, mean, rstd, C);                                   \
        else layernorm<T, 1>(x, w, b, eps, out, mean, rstd, C);                                                \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) pm_layernorm_bwd_##S(const T* x, const T* w, const float* mean, const float* rstd, \
                                                    const T* dout, T* dx, float* pw, float* pb, long long rows, \
                                                    int C, int vec) {                                          \
        if (vec) layernorm_bwd<T, Pack<T>::N>(x, w, mean, rstd, dout, dx, pw, pb, rows, C);                    \
        else layernorm_bwd<T, 1>(x, w, mean, rstd, dout, dx, pw, pb, rows, C);                                 \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) pm_softmax_##S(const T* x, T* out, int C, int vec) {                            \
        if (vec) softmax<T, Pack<T>::N>(x, out, C);                                                            \
        else softmax<T, 1>(x, out, C);                                                                         \
    }                                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) pm_softmax_bwd_##S(const T* y, const T* dy, T* dx, int C, int vec) {            \
        if (vec) softmax_bwd<T, Pack<T>::N>(y, dy, dx, C);                                                     \
        else softmax_bwd<T, 1>(y, dy, dx, C);                                                                  \
    }
PM_NORMS(float, f32)
PM_NORMS(bf16, bf16)

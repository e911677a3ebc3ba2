// Fused AdamW (PyTorch semantics: decoupled decay, bias-corrected moments) over f32 master weights and f32
// moments, with the gradient in f32 or bf16 scaled by grad_scale first (global-norm clipping folded in),
// optionally writing the bf16 copy of the updated parameter that the forward pass reads. One pass: reads p, g,
// m, v; writes p, m, v (and the bf16 copy).
#include "common.cuh"

struct AdamW {
    float lr, beta1, beta2, eps, weight_decay, bias_corr1, bias_corr2_sqrt, grad_scale;
};

__device__ __forceinline__ void adamw_one(float& p, float g, float& m, float& v, const AdamW& h) {
    g *= h.grad_scale;
    m = h.beta1 * m + (1.f - h.beta1) * g;
    v = h.beta2 * v + (1.f - h.beta2) * g * g;
    p *= 1.f - h.lr * h.weight_decay;
    p -= h.lr / h.bias_corr1 * m / (sqrtf(v) / h.bias_corr2_sqrt + h.eps);
}

template <typename G>
__device__ void adamw(float* __restrict__ p, const G* __restrict__ g, float* __restrict__ m, float* __restrict__ v,
                      bf16* __restrict__ copy, long long n, AdamW h) {
    long long quads = n / 4, tid = global_tid(), stride = grid_stride();
    bool vec = ((reinterpret_cast<uintptr_t>(p) | reinterpret_cast<uintptr_t>(g) | reinterpret_cast<uintptr_t>(m) |
                 reinterpret_cast<uintptr_t>(v) | reinterpret_cast<uintptr_t>(copy)) & 15) == 0;
    if (vec) {
        for (long long q = tid; q < quads; q += stride) {
            long long i = q * 4;
            float4 P = *reinterpret_cast<float4*>(p + i), M = *reinterpret_cast<float4*>(m + i),
                   Vv = *reinterpret_cast<float4*>(v + i);
            alignas(16) float gs[4];
            if (sizeof(G) == 4) {
                *reinterpret_cast<float4*>(gs) = __ldg(reinterpret_cast<const float4*>(g + i));
            } else {
                alignas(8) G gg[4];
                *reinterpret_cast<uint2*>(gg) = __ldg(reinterpret_cast<const uint2*>(g + i));
#pragma unroll
                for (int k = 0; k < 4; k++) gs[k] = to_f(gg[k]);
            }
            adamw_one(P.x, gs[0], M.x, Vv.x, h);
            adamw_one(P.y, gs[1], M.y, Vv.y, h);
            adamw_one(P.z, gs[2], M.z, Vv.z, h);
            adamw_one(P.w, gs[3], M.w, Vv.w, h);
            *reinterpret_cast<float4*>(p + i) = P;
            *reinterpret_cast<float4*>(m + i) = M;
            *reinterpret_cast<float4*>(v + i) = Vv;
            if (copy) {
                alignas(8) bf16 c[4] = {from_f<bf16>(P.x), from_f<bf16>(P.y), from_f<bf16>(P.z), from_f<bf16>(P.w)};
                *reinterpret_cast<uint2*>(copy + i) = *reinterpret_cast<uint2*>(c);
            }
        }
    }
    for (long long i = (vec ? quads * 4 : 0) + tid; i < n; i += stride) {
        float pi = p[i], mi = m[i], vi = v[i];
        adamw_one(pi, to_f(g[i]), mi, vi, h);
        p[i] = pi;
        m[i] = mi;
        v[i] = vi;
        if (copy) copy[i] = from_f<bf16>(pi);
    }
}

extern "C" __global__ void pm_adamw_f32(float* p, const float* g, float* m, float* v, bf16* copy, long long n, AdamW h) {
    adamw(p, g, m, v, copy, n, h);
}
extern "C" __global__ void pm_adamw_bf16(float* p, const bf16* g, float* m, float* v, bf16* copy, long long n, AdamW h) {
    adamw(p, g, m, v, copy, n, h);
}

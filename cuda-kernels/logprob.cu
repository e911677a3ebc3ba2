// Fused LM head + log-softmax / per-token log-prob, chunked over the vocabulary (Backend#logprob and
// #logprobBackward): the (N, V) logits never exist at once, only an (N, chunk) slab.
//
// The host composes, per vocabulary chunk [v0, v0 + vc) (see tools/gpu-dev/README.md):
//   forward   Z = hidden · W[v0:v0+vc]ᵀ (GEMM, bf16 in, f32 out)  ->  pm_logprob_chunk_fwd_f32 (online logsumexp,
//             target gather); after the last chunk pm_logprob_finalize_f32 writes lse and logp.
//   backward  Z again  ->  pm_logprob_chunk_bwd_f32 writes dZ = dlogp · (onehot(target) − softmax(z)) / T as bf16
//             ->  GEMMs dhidden (+)= dZ · W[v0:v0+vc] and dW[v0:v0+vc] += dZᵀ · hidden.
// Logits are z = Z / T (the kernels apply 1/T, so the GEMM runs with alpha = 1). A negative target gives
// logp = 0 and no gradient; a target >= V is a caller bug and shows up as a NaN logp.
// Each row is reduced by one block in a fixed order: results repeat bit for bit.
#include "tile_common.cuh"

using namespace tile;

namespace {

constexpr int LP_THREADS = 256;

// Merges the running (max, sum of exp(x - max)) pair (m, s) with (m2, s2).
__device__ __forceinline__ void lse_merge(float& m, float& s, float m2, float s2) {
    const float mx = fmaxf(m, m2);
    if (mx == -INFINITY) return;  // both empty
    s = s * expf(m - mx) + s2 * expf(m2 - mx);
    m = mx;
}

}  // namespace

// Z (N, ldz) f32 holds the raw chunk logits in columns [0, vc). For row r:
//   (run_max, run_sum)[r] := merge(first ? empty : previous, logsumexp pieces of Z[r, :vc] / T),
//   tgt_logit[r] := Z[r, target - v0] / T when the target falls in this chunk (NaN on the first chunk otherwise).
// run_max may be the lse output and tgt_logit the logp output (finalize reads them in place).
// grid (N), block 256.
extern "C" __global__ void __launch_bounds__(LP_THREADS)
pm_logprob_chunk_fwd_f32(const float* z, int ldz, int vc, int v0, const int* targets, float inv_temp, int first,
                         float* run_max, float* run_sum, float* tgt_logit, int n) {
    __shared__ float sm[LP_THREADS / 32], ss[LP_THREADS / 32];
    const int r = blockIdx.x, lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (r >= n) return;
    const float* row = z + (size_t)r * ldz;
    float m = -INFINITY, s = 0.f;
    for (int j = threadIdx.x; j < vc; j += LP_THREADS) {
        const float x = row[j] * inv_temp;
        if (x > m) {
            s = s * expf(m - x) + 1.f;
            m = x;
        } else {
            s += expf(x - m);
        }
    }
    for (int o = 16; o > 0; o >>= 1) {
        const float m2 = __shfl_xor_sync(FULL, m, o), s2 = __shfl_xor_sync(FULL, s, o);
        lse_merge(m, s, m2, s2);
    }
    if (lane == 0) {
        sm[warp] = m;
        ss[warp] = s;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        float bm = sm[0], bs = ss[0];
        for (int w = 1; w < LP_THREADS / 32; w++) lse_merge(bm, bs, sm[w], ss[w]);
        if (!first) lse_merge(bm, bs, run_max[r], run_sum[r]);
        run_max[r] = bm;
        run_sum[r] = bs;
        const int t = targets[r];
        if (t >= v0 && t < v0 + vc) tgt_logit[r] = row[t - v0] * inv_temp;
        else if (first) tgt_logit[r] = NAN;
    }
}

// lse = run_max + log(run_sum); logp = target < 0 ? 0 : tgt_logit − lse. Elementwise, so lse may alias run_max
// and logp may alias tgt_logit. grid (ceil(N / 256)), block 256.
extern "C" __global__ void __launch_bounds__(256)
pm_logprob_finalize_f32(const int* targets, const float* run_max, const float* run_sum, const float* tgt_logit,
                        float* logp, float* lse, int n) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    const float l = run_max[r] + logf(run_sum[r]);
    const float zt = tgt_logit[r];
    const int t = targets[r];
    lse[r] = l;
    logp[r] = t < 0 ? 0.f : zt - l;
}

// dZ[r, j] = dlogp[r] · ([v0 + j == target] − exp(Z[r, j] / T − lse[r])) / T for j < vc, as bf16; rows with a
// negative target get zeros. Z (N, ldz) f32, dZ (N, lddz) bf16. grid (N), block 256.
extern "C" __global__ void __launch_bounds__(LP_THREADS)
pm_logprob_chunk_bwd_f32(const float* z, int ldz, int vc, int v0, const int* targets, const float* lse,
                         const float* dlogp, float inv_temp, bf16* dz, int lddz, int n) {
    const int r = blockIdx.x;
    if (r >= n) return;
    const float* row = z + (size_t)r * ldz;
    bf16* drow = dz + (size_t)r * lddz;
    const int t = targets[r];
    const float g = t < 0 ? 0.f : dlogp[r] * inv_temp, l = lse[r];
    const int tj = t - v0;
    for (int j = threadIdx.x; j < vc; j += LP_THREADS) {
        const float p = expf(row[j] * inv_temp - l);
        drow[j] = __float2bfloat16_rn(g * ((j == tj ? 1.f : 0.f) - p));
    }
}

// Decode attention: one new query per sequence against its KV cache.
//
//   q (B, Hq, D) bf16; k_cache, v_cache (S, Lmax, Hkv, D) bf16 with S >= B cache slots; slots (B) int32, the
//   cache slot query row b reads (an engine decodes any subset of its sequences in place); lengths (B) int32 per
//   query row (keys [0, len_b) of slot slots[b] are valid, clamped to Lmax); out (B, Hq, D) bf16. Query head h
//   reads K/V head h / (Hq/Hkv). A sequence with no key gives out = 0. This is Backend#attention with one query
//   per segment (non-causal), over a padded cache.
//
// Variants:
//   v1     one warp per (sequence, query head), keys one at a time; the plain reference.
//   split  flash-decoding: the cache of each sequence is cut into `nsplit` chunks of `chunk` keys; a block of
//          4 warps handles one chunk for one K/V head and up to 8 of its query heads (GQA: every K/V byte is
//          read once per group, not once per query head), writing a normalised partial output and its base-2
//          log-sum-exp; pm_decode_attn_combine_bf16 then merges the chunks. Deterministic.
#include "tile_common.cuh"

using namespace tile;

namespace {

constexpr int GB = 8;        // query heads per split block
constexpr int SPLIT_WARPS = 4;

// Lanes per cache row (each holds 8 dims, one 16-byte load): a power of two >= D/8.
template <int D> __host__ __device__ constexpr int lanes_per_row() { return D / 8 <= 8 ? 8 : 16; }

__device__ __forceinline__ void unpack8(const uint4& u, float (&f)[8]) {
    const __nv_bfloat162* p = reinterpret_cast<const __nv_bfloat162*>(&u);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const float2 x = __bfloat1622float2(p[i]);
        f[2 * i] = x.x;
        f[2 * i + 1] = x.y;
    }
}

template <int D>
__device__ void decode_split(const bf16* __restrict__ q, const bf16* __restrict__ kc, const bf16* __restrict__ vc,
                             const int* __restrict__ slots, const int* __restrict__ lengths, float* __restrict__ o_part,
                             float* __restrict__ lse_part, int lmax, int hq, int hkv, int nsplit, int chunk,
                             float scale) {
    constexpr int NCH = D / 8, LPR = lanes_per_row<D>(), KPW = 32 / LPR, NSLOT = SPLIT_WARPS * KPW;
    __shared__ float sm_m[NSLOT][GB], sm_l[NSLOT][GB], sm_o[NSLOT][GB][D];
    const int b = blockIdx.z, split = blockIdx.x;
    const int group = hq / hkv, ngrp = (group + GB - 1) / GB;
    const int kh = blockIdx.y / ngrp, sub = blockIdx.y - kh * ngrp;
    const int hbase = kh * group + sub * GB, gcnt = min(GB, group - sub * GB);
    const int len = min(lengths[b], lmax);
    const int s0 = split * chunk, s1 = min(len, s0 + chunk);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, slot = lane / LPR, ch = lane % LPR;
    const bool active = ch < NCH;

    // q, pre-scaled so that scores come out in the base-2 domain.
    float qv[GB][8];
#pragma unroll
    for (int g = 0; g < GB; g++) {
        uint4 raw = make_uint4(0, 0, 0, 0);
        if (active && g < gcnt) raw = *reinterpret_cast<const uint4*>(q + ((size_t)b * hq + hbase + g) * D + ch * 8);
        unpack8(raw, qv[g]);
#pragma unroll
        for (int e = 0; e < 8; e++) qv[g][e] *= scale * LOG2E;
    }
    float m[GB], l[GB], o[GB][8];
#pragma unroll
    for (int g = 0; g < GB; g++) {
        m[g] = -INFINITY;
        l[g] = 0.f;
#pragma unroll
        for (int e = 0; e < 8; e++) o[g][e] = 0.f;
    }
    const size_t rstride = (size_t)hkv * D;
    const size_t cslot = (size_t)slots[b];  // the cache slot this query row reads
    const bf16* kb = kc + (cslot * lmax * hkv + kh) * D + ch * 8;
    const bf16* vb = vc + (cslot * lmax * hkv + kh) * D + ch * 8;
    constexpr int STEP = SPLIT_WARPS * KPW;  // keys per block per half-step
    // Each row group (LPR lanes) of each warp walks its own keys; two keys per step keep 4 loads in flight.
    for (int j0 = s0 + warp * KPW + slot; j0 - slot < s1; j0 += 2 * STEP) {  // the bound is uniform per warp
        uint4 kr[2], vr[2];
        bool ok[2];
#pragma unroll
        for (int u = 0; u < 2; u++) {
            const int j = j0 + u * STEP;
            ok[u] = j < s1;
            kr[u] = vr[u] = make_uint4(0, 0, 0, 0);
            if (ok[u] && active) {
                kr[u] = __ldg(reinterpret_cast<const uint4*>(kb + (size_t)j * rstride));
                vr[u] = __ldg(reinterpret_cast<const uint4*>(vb + (size_t)j * rstride));
            }
        }
#pragma unroll
        for (int u = 0; u < 2; u++) {
            float kf[8], vf[8];
            unpack8(kr[u], kf);
            unpack8(vr[u], vf);
#pragma unroll
            for (int g = 0; g < GB; g++) {
                float sc = 0.f;
#pragma unroll
                for (int e = 0; e < 8; e++) sc += qv[g][e] * kf[e];
#pragma unroll
                for (int off = LPR / 2; off > 0; off >>= 1) sc += __shfl_xor_sync(FULL, sc, off);
                if (ok[u] && g < gcnt) {
                    const float mn = fmaxf(m[g], sc);
                    const float alpha = exp2_fast(m[g] - mn), p = exp2_fast(sc - mn);
                    m[g] = mn;
                    l[g] = l[g] * alpha + p;
#pragma unroll
                    for (int e = 0; e < 8; e++) o[g][e] = o[g][e] * alpha + p * vf[e];
                }
            }
        }
    }
    // Merge the NSLOT partial states (row groups of all warps) of each head.
    const int sl = warp * KPW + slot;
#pragma unroll
    for (int g = 0; g < GB; g++) {
        if (active)
#pragma unroll
            for (int e = 0; e < 8; e++) sm_o[sl][g][ch * 8 + e] = o[g][e];
        if (ch == 0) {
            sm_m[sl][g] = m[g];
            sm_l[sl][g] = l[g];
        }
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < gcnt * D; idx += blockDim.x) {
        const int g = idx / D, c = idx - g * D;
        float mx = -INFINITY;
        for (int r = 0; r < NSLOT; r++) mx = fmaxf(mx, sm_m[r][g]);
        float lsum = 0.f, acc = 0.f;
        if (mx != -INFINITY)
            for (int r = 0; r < NSLOT; r++) {
                const float w = exp2_fast(sm_m[r][g] - mx);
                lsum += sm_l[r][g] * w;
                acc += sm_o[r][g][c] * w;
            }
        const size_t row = ((size_t)b * hq + hbase + g) * nsplit + split;
        o_part[row * D + c] = lsum > 0.f ? acc / lsum : 0.f;
        if (c == 0) lse_part[row] = lsum > 0.f ? mx + log2f(lsum) : -INFINITY;
    }
}

}  // namespace

// grid (Hq, B), block 32.
extern "C" __global__ void __launch_bounds__(32)
pm_decode_attn_v1_bf16(const bf16* q, const bf16* k_cache, const bf16* v_cache, const int* slots, const int* lengths,
                       bf16* out, int lmax, int hq, int hkv, int d, float scale) {
    constexpr int DT = 4;  // D <= 128: lane owns dims lane + 32 t
    const int h = blockIdx.x, b = blockIdx.y, lane = threadIdx.x;
    const int kh = h / (hq / hkv), len = min(lengths[b], lmax);
    const size_t cslot = (size_t)slots[b];
    const bf16* qr = q + ((size_t)b * hq + h) * d;
    float qv[DT], o[DT];
#pragma unroll
    for (int t = 0; t < DT; t++) {
        const int c = lane + 32 * t;
        qv[t] = c < d ? __bfloat162float(qr[c]) * scale : 0.f;
        o[t] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    for (int j = 0; j < len; j++) {
        const size_t ko = ((cslot * lmax + j) * hkv + kh) * d;
        float sc = 0.f;
#pragma unroll
        for (int t = 0; t < DT; t++) {
            const int c = lane + 32 * t;
            if (c < d) sc += qv[t] * __bfloat162float(k_cache[ko + c]);
        }
        sc = warp_sum(sc);
        const float mn = fmaxf(m, sc);
        const float alpha = m == -INFINITY ? 0.f : expf(m - mn), p = expf(sc - mn);
        l = l * alpha + p;
        m = mn;
#pragma unroll
        for (int t = 0; t < DT; t++) {
            const int c = lane + 32 * t;
            if (c < d) o[t] = o[t] * alpha + p * __bfloat162float(v_cache[ko + c]);
        }
    }
    const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
    for (int t = 0; t < DT; t++) {
        const int c = lane + 32 * t;
        if (c < d) out[((size_t)b * hq + h) * d + c] = __float2bfloat16_rn(o[t] * inv);
    }
}

// Split phase: grid (nsplit, Hkv * ceil((Hq/Hkv) / 8), B), block 128, static shared memory only.
// o_part (B, Hq, nsplit, D) f32 and lse_part (B, Hq, nsplit) f32 are scratch, fully written.
#define PM_DECODE_SPLIT(NAME, D)                                                                              \
    extern "C" __global__ void __launch_bounds__(128)                                                        \
    NAME(const bf16* q, const bf16* k_cache, const bf16* v_cache, const int* slots, const int* lengths,        \
         float* o_part, float* lse_part, int lmax, int hq, int hkv, int d, int nsplit, int chunk, float scale) { \
        decode_split<D>(q, k_cache, v_cache, slots, lengths, o_part, lse_part, lmax, hq, hkv, nsplit, chunk,   \
                        scale);                                                                                \
    }
PM_DECODE_SPLIT(pm_decode_attn_split_d64_bf16, 64)
PM_DECODE_SPLIT(pm_decode_attn_split_d80_bf16, 80)
PM_DECODE_SPLIT(pm_decode_attn_split_d128_bf16, 128)

// Combine phase: out[b, h] = Σ_s w_s o_part[b, h, s] / Σ_s w_s with w_s = 2^(lse_s − max lse).
// grid (Hq, B), block 128.
extern "C" __global__ void __launch_bounds__(128)
pm_decode_attn_combine_bf16(const float* o_part, const float* lse_part, bf16* out, int hq, int nsplit, int d) {
    const size_t row = (size_t)blockIdx.y * hq + blockIdx.x;
    const float* ls = lse_part + row * nsplit;
    float mx = -INFINITY;
    for (int s = 0; s < nsplit; s++) mx = fmaxf(mx, ls[s]);
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        float acc = 0.f, wsum = 0.f;
        if (mx != -INFINITY)
            for (int s = 0; s < nsplit; s++) {
                const float w = exp2_fast(ls[s] - mx);
                wsum += w;
                acc += w * o_part[(row * nsplit + s) * d + c];
            }
        out[row * d + c] = __float2bfloat16_rn(wsum > 0.f ? acc / wsum : 0.f);
    }
}

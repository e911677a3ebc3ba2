// Flash attention over packed variable-length segments (FlashAttention's varlen layout), forward and backward.
//
// Layouts and semantics are those of ai.pulsemind.backend.Backend#attention / #attentionBackward:
//   q (Nq, Hq, D), k and v (Nk, Hkv, D), out (Nq, Hq, D), dq like q, dk and dv like k: bf16, contiguous;
//   lse (Hq, Nq) f32, the natural log-sum-exp of the scaled scores per query (-inf, with out = 0, for a query
//   that sees no key); cu_q, cu_k (S+1) int32 on the device: segment s owns query rows [cu_q[s], cu_q[s+1])
//   and key rows [cu_k[s], cu_k[s+1]);
//   causal masking aligned bottom-right: query i of a segment with Lq queries and Lk keys sees keys
//   j <= i + Lk - Lq; query head h reads K/V head h / (Hq / Hkv) (GQA without copies).
// Backward needs delta (Hq, Nq) f32 = rowsum(dout * out), written by pm_attn_bwd_prep_bf16 first. dq, dk, dv
// are overwritten. The backward is deterministic: dq comes from its own pass over the keys (no atomics), and dk,
// dv sum over the query heads of a group inside one block, in head order.
//
// Variants, in the llm.c dev/cuda manner (tools/gpu-dev validates each one before timing it):
//   v1  scalar f32, one warp per query (forward, dq) or per key (dk/dv), K/V or Q/dO tiles of 32 rows staged in
//       shared memory as f32. Any D <= 128 that is a multiple of 8. Slow; the plain, obviously-right version.
//   v2  tensor cores: mma.sync m16n8k16 bf16 -> f32, ldmatrix from padded shared tiles, cp.async copies;
//       FlashAttention-2's schedule (each warp owns 16 query rows, online softmax in registers, P stays in
//       registers as the A operand of P·V). D in {64, 80, 128}; NW warps per block (4 or 8).
//
// Every pointer passed to a v2 kernel must be 16-byte aligned (rows are D*2 bytes, a multiple of 16).
#include "tile_common.cuh"

using namespace tile;

namespace {

// Keys visible to query i (0-based in its segment): causal aligned bottom-right, never negative.
__device__ __forceinline__ int visible_keys(bool causal, int i, int lq, int lk) {
    return causal ? max(0, min(lk, i + lk - lq + 1)) : lk;
}

// ============================================================================================ v1 (scalar)

constexpr int V1_WARPS = 4;       // rows (queries or keys) per block, one per warp
constexpr int V1_TILE = 32;       // staged rows per step, one per lane
constexpr int V1_MAXD = 128;
constexpr int V1_PAD = V1_MAXD + 1;  // row stride of staged tiles: lane r reads row r without bank conflicts
constexpr int V1_DT = V1_MAXD / 32;  // dims per lane: lane owns c = lane + 32 t

// Stages rows [r0, r0+32) of one head of a (rows, H, D) tensor as f32, zeros past `nrows`.
__device__ __forceinline__ void v1_stage(float (*dst)[V1_PAD], const bf16* base, int stride, int r0, int nrows, int d) {
    for (int e = threadIdx.x; e < V1_TILE * d; e += blockDim.x) {
        int r = e / d, c = e - r * d;
        dst[r][c] = r0 + r < nrows ? __bfloat162float(base[(size_t)(r0 + r) * stride + c]) : 0.f;
    }
}

__device__ void attn_fwd_v1(const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v,
                            const int* __restrict__ cu_q, const int* __restrict__ cu_k, bf16* __restrict__ out,
                            float* __restrict__ lse, int nq, int hq, int hkv, int d, bool causal, float scale) {
    __shared__ float ks[V1_TILE][V1_PAD], vs[V1_TILE][V1_PAD], qs[V1_WARPS][V1_MAXD];
    const int s = blockIdx.z, h = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int q0 = cu_q[s], lq = cu_q[s + 1] - q0, k0 = cu_k[s], lk = cu_k[s + 1] - k0;
    const int i0 = blockIdx.x * V1_WARPS;
    if (i0 >= lq) return;  // uniform over the block, before any barrier
    const int kh = h / (hq / hkv), i = i0 + warp;
    const bool row = i < lq;  // uniform over the warp
    const int nvis = row ? visible_keys(causal, i, lq, lk) : 0;
    const int nmax = visible_keys(causal, min(lq - 1, i0 + V1_WARPS - 1), lq, lk);  // grows with i
    const bf16* kb = k + ((size_t)k0 * hkv + kh) * d;
    const bf16* vb = v + ((size_t)k0 * hkv + kh) * d;
    if (row)
        for (int c = lane; c < d; c += 32) qs[warp][c] = __bfloat162float(q[((size_t)(q0 + i) * hq + h) * d + c]);
    float m = -INFINITY, l = 0.f, o[V1_DT];
#pragma unroll
    for (int t = 0; t < V1_DT; t++) o[t] = 0.f;
    for (int j0 = 0; j0 < nmax; j0 += V1_TILE) {
        __syncthreads();  // the previous tile is consumed (and qs is written, the first time)
        v1_stage(ks, kb, hkv * d, j0, lk, d);
        v1_stage(vs, vb, hkv * d, j0, lk, d);
        __syncthreads();
        if (!row) continue;
        const int j = j0 + lane;
        float sc = -INFINITY;
        if (j < nvis) {
            float acc = 0.f;
            for (int c = 0; c < d; c++) acc += qs[warp][c] * ks[lane][c];
            sc = acc * scale;
        }
        const float mn = fmaxf(m, warp_max(sc));
        const float p = sc == -INFINITY ? 0.f : expf(sc - mn);
        const float alpha = m == -INFINITY ? 0.f : expf(m - mn);
        l = l * alpha + warp_sum(p);
        m = mn;
#pragma unroll
        for (int t = 0; t < V1_DT; t++) o[t] *= alpha;
        for (int r = 0; r < V1_TILE; r++) {
            const float pr = __shfl_sync(FULL, p, r);
#pragma unroll
            for (int t = 0; t < V1_DT; t++) {
                const int c = lane + 32 * t;
                if (c < d) o[t] += pr * vs[r][c];
            }
        }
    }
    if (!row) return;
    const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
    for (int t = 0; t < V1_DT; t++) {
        const int c = lane + 32 * t;
        if (c < d) out[((size_t)(q0 + i) * hq + h) * d + c] = __float2bfloat16_rn(o[t] * inv);
    }
    if (lane == 0) lse[(size_t)h * nq + q0 + i] = l > 0.f ? m + logf(l) : -INFINITY;
}

// dq for one query per warp: dS = P ∘ (dP − delta), dq = scale · dS K.
__device__ void attn_bwd_dq_v1(const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v,
                               const bf16* __restrict__ dout, const float* __restrict__ lse,
                               const float* __restrict__ delta, const int* __restrict__ cu_q,
                               const int* __restrict__ cu_k, bf16* __restrict__ dq, int nq, int hq, int hkv, int d,
                               bool causal, float scale) {
    __shared__ float ks[V1_TILE][V1_PAD], vs[V1_TILE][V1_PAD], qs[V1_WARPS][V1_MAXD], dos[V1_WARPS][V1_MAXD];
    const int s = blockIdx.z, h = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int q0 = cu_q[s], lq = cu_q[s + 1] - q0, k0 = cu_k[s], lk = cu_k[s + 1] - k0;
    const int i0 = blockIdx.x * V1_WARPS;
    if (i0 >= lq) return;
    const int kh = h / (hq / hkv), i = i0 + warp;
    const bool row = i < lq;
    const int nvis = row ? visible_keys(causal, i, lq, lk) : 0;
    const int nmax = visible_keys(causal, min(lq - 1, i0 + V1_WARPS - 1), lq, lk);
    const bf16* kb = k + ((size_t)k0 * hkv + kh) * d;
    const bf16* vb = v + ((size_t)k0 * hkv + kh) * d;
    float li = 0.f, di = 0.f;
    if (row) {
        const size_t qo = ((size_t)(q0 + i) * hq + h) * d;
        for (int c = lane; c < d; c += 32) {
            qs[warp][c] = __bfloat162float(q[qo + c]);
            dos[warp][c] = __bfloat162float(dout[qo + c]);
        }
        li = lse[(size_t)h * nq + q0 + i];
        di = delta[(size_t)h * nq + q0 + i];
    }
    float acc[V1_DT];
#pragma unroll
    for (int t = 0; t < V1_DT; t++) acc[t] = 0.f;
    for (int j0 = 0; j0 < nmax; j0 += V1_TILE) {
        __syncthreads();
        v1_stage(ks, kb, hkv * d, j0, lk, d);
        v1_stage(vs, vb, hkv * d, j0, lk, d);
        __syncthreads();
        if (!row) continue;
        const int j = j0 + lane;
        float ds = 0.f;
        if (j < nvis) {
            float sc = 0.f, dp = 0.f;
            for (int c = 0; c < d; c++) {
                sc += qs[warp][c] * ks[lane][c];
                dp += dos[warp][c] * vs[lane][c];
            }
            const float p = expf(sc * scale - li);
            ds = p * (dp - di);
        }
        for (int r = 0; r < V1_TILE; r++) {
            const float dr = __shfl_sync(FULL, ds, r);
#pragma unroll
            for (int t = 0; t < V1_DT; t++) {
                const int c = lane + 32 * t;
                if (c < d) acc[t] += dr * ks[r][c];
            }
        }
    }
    if (!row) return;
#pragma unroll
    for (int t = 0; t < V1_DT; t++) {
        const int c = lane + 32 * t;
        if (c < d) dq[((size_t)(q0 + i) * hq + h) * d + c] = __float2bfloat16_rn(acc[t] * scale);
    }
}

// dk, dv for one key per warp, summed over the query heads of its group: dv = Σ P dO, dk = scale · Σ dS Q.
__device__ void attn_bwd_dkdv_v1(const bf16* __restrict__ q, const bf16* __restrict__ k,
                                 const bf16* __restrict__ v, const bf16* __restrict__ dout,
                                 const float* __restrict__ lse, const float* __restrict__ delta,
                                 const int* __restrict__ cu_q, const int* __restrict__ cu_k, bf16* __restrict__ dk,
                                 bf16* __restrict__ dv, int nq, int hq, int hkv, int d, bool causal, float scale) {
    __shared__ float qs[V1_TILE][V1_PAD], dos[V1_TILE][V1_PAD], kr[V1_WARPS][V1_MAXD], vr[V1_WARPS][V1_MAXD];
    __shared__ float ls[V1_TILE], dls[V1_TILE];
    const int s = blockIdx.z, kh = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int q0 = cu_q[s], lq = cu_q[s + 1] - q0, k0 = cu_k[s], lk = cu_k[s + 1] - k0;
    const int jb = blockIdx.x * V1_WARPS;
    if (jb >= lk) return;
    const int group = hq / hkv, j = jb + warp, diag = lk - lq;
    const bool row = j < lk;
    if (row) {
        const size_t ko = ((size_t)(k0 + j) * hkv + kh) * d;
        for (int c = lane; c < d; c += 32) {
            kr[warp][c] = __bfloat162float(k[ko + c]);
            vr[warp][c] = __bfloat162float(v[ko + c]);
        }
    }
    const int i_start = causal ? max(0, jb - diag) : 0;  // the first query that sees key jb
    float ak[V1_DT], av[V1_DT];
#pragma unroll
    for (int t = 0; t < V1_DT; t++) ak[t] = av[t] = 0.f;
    for (int gh = 0; gh < group; gh++) {
        const int h = kh * group + gh;
        const bf16* qb = q + ((size_t)q0 * hq + h) * d;
        const bf16* db = dout + ((size_t)q0 * hq + h) * d;
        for (int i0 = i_start; i0 < lq; i0 += V1_TILE) {
            __syncthreads();
            v1_stage(qs, qb, hq * d, i0, lq, d);
            v1_stage(dos, db, hq * d, i0, lq, d);
            if (threadIdx.x < V1_TILE) {
                const int i = i0 + threadIdx.x;
                ls[threadIdx.x] = i < lq ? lse[(size_t)h * nq + q0 + i] : 0.f;
                dls[threadIdx.x] = i < lq ? delta[(size_t)h * nq + q0 + i] : 0.f;
            }
            __syncthreads();
            if (!row) continue;
            const int i = i0 + lane;
            float p = 0.f, ds = 0.f;
            if (i < lq && (!causal || j <= i + diag)) {
                float sc = 0.f, dp = 0.f;
                for (int c = 0; c < d; c++) {
                    sc += qs[lane][c] * kr[warp][c];
                    dp += dos[lane][c] * vr[warp][c];
                }
                p = expf(sc * scale - ls[lane]);
                ds = p * (dp - dls[lane]);
            }
            for (int r = 0; r < V1_TILE; r++) {
                const float pr = __shfl_sync(FULL, p, r), dr = __shfl_sync(FULL, ds, r);
#pragma unroll
                for (int t = 0; t < V1_DT; t++) {
                    const int c = lane + 32 * t;
                    if (c < d) {
                        av[t] += pr * dos[r][c];
                        ak[t] += dr * qs[r][c];
                    }
                }
            }
        }
    }
    if (!row) return;
    const size_t ko = ((size_t)(k0 + j) * hkv + kh) * d;
#pragma unroll
    for (int t = 0; t < V1_DT; t++) {
        const int c = lane + 32 * t;
        if (c < d) {
            dk[ko + c] = __float2bfloat16_rn(ak[t] * scale);
            dv[ko + c] = __float2bfloat16_rn(av[t]);
        }
    }
}

// ============================================================================================ v2 (mma.sync)

constexpr int BN = 64;  // keys per tile (forward, dq)

// Shared tiles hold rows of D bf16 padded to D + 8: a 16-byte shift per row spreads the 8 row addresses of an
// ldmatrix over distinct banks (row strides 144, 176, 272 bytes for D = 64, 80, 128).
template <int D> __host__ __device__ constexpr int ld_of() { return D + 8; }

// Copies rows [r0, r0+R) of one head of a (rows, H, D) tensor (base = row 0 of the segment, that head; `stride`
// elements between rows) into a padded shared tile, zero-filling rows >= nrows. Issued by all NT threads.
template <int D, int R, int NT>
__device__ __forceinline__ void load_rows(bf16* sm, const bf16* base, int stride, int r0, int nrows) {
    constexpr int CPR = D / 8, LD = ld_of<D>();
#pragma unroll
    for (int c = threadIdx.x; c < R * CPR; c += NT) {
        const int r = c / CPR, cc = c - r * CPR;
        const bool ok = r0 + r < nrows;
        const bf16* src = ok ? base + (size_t)(r0 + r) * stride + cc * 8 : base;
        cp_async16(sm + r * LD + cc * 8, src, ok);
    }
}

// ldmatrix address of the A fragment (16x16, row-major) at (row0, col0) of a padded tile.
template <int LD>
__device__ __forceinline__ const bf16* a_addr(const bf16* sm, int row0, int col0, int lane) {
    return sm + (row0 + (lane & 7) + ((lane >> 3) & 1) * 8) * LD + col0 + (lane >> 4) * 8;
}

// ldmatrix (non-trans) address of the B fragments of two n-tiles [n0, n0+16) at k-step [k0, k0+16), for a tile
// stored as rows n, cols k (K in Q·Kᵀ): registers 0,1 = b0,b1 of n-tile n0; 2,3 = of n-tile n0+8.
template <int LD>
__device__ __forceinline__ const bf16* bn_addr(const bf16* sm, int n0, int k0, int lane) {
    return sm + (n0 + (lane & 7) + (lane >> 4) * 8) * LD + k0 + ((lane >> 3) & 1) * 8;
}

// ldmatrix.trans address of the B fragments of two n-tiles [n0, n0+16) at k-step [k0, k0+16), for a tile stored
// as rows k, cols n (V in P·V): registers 0,1 = b0,b1 of n-tile n0; 2,3 = of n-tile n0+8.
template <int LD>
__device__ __forceinline__ const bf16* bt_addr(const bf16* sm, int k0, int n0, int lane) {
    return sm + (k0 + (lane & 7) + ((lane >> 3) & 1) * 8) * LD + n0 + (lane >> 4) * 8;
}

// Writes a warp's 16 x D f32 accumulator tile (times `mul` per row) as bf16 rows of `dst` (stride elements
// apart), staging through this warp's own 16 rows of a padded shared tile for 16-byte coalesced stores.
// Rows at or past `nrows` are skipped; `row0` is the warp's first row in the segment.
template <int D>
__device__ __forceinline__ void store_rows(const float (&acc)[D / 8][4], const float (&mul)[2], bf16* stage,
                                           bf16* dst, int stride, int row0, int nrows, int lane) {
    constexpr int LD = ld_of<D>(), CPR = D / 8;
    const int g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int dt = 0; dt < D / 8; dt++)
#pragma unroll
        for (int rr = 0; rr < 2; rr++)
            *reinterpret_cast<uint32_t*>(stage + (g + rr * 8) * LD + dt * 8 + 2 * t) =
                pack_bf16(acc[dt][2 * rr] * mul[rr], acc[dt][2 * rr + 1] * mul[rr]);
    __syncwarp();
#pragma unroll
    for (int c = lane; c < 16 * CPR; c += 32) {
        const int r = c / CPR, cc = c - r * CPR;
        if (row0 + r < nrows)
            *reinterpret_cast<uint4*>(dst + (size_t)(row0 + r) * stride + cc * 8) =
                *reinterpret_cast<const uint4*>(stage + r * LD + cc * 8);
    }
}

template <int D, int NW> __host__ __device__ constexpr int fwd_smem_bytes() { return (16 * NW + 2 * BN) * ld_of<D>() * 2; }

template <int D, int NW>
__device__ void attn_fwd_v2(const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v,
                            const int* __restrict__ cu_q, const int* __restrict__ cu_k, bf16* __restrict__ out,
                            float* __restrict__ lse, int nq, int hq, int hkv, bool causal, float scale) {
    constexpr int BM = 16 * NW, NT = 32 * NW, LD = ld_of<D>();
    extern __shared__ __align__(16) unsigned char smem[];
    bf16* Qs = reinterpret_cast<bf16*>(smem);  // (BM, LD)
    bf16* Ks = Qs + BM * LD;                   // (BN, LD)
    bf16* Vs = Ks + BN * LD;                   // (BN, LD)
    const int s = blockIdx.z, h = blockIdx.y;
    const int q0 = cu_q[s], lq = cu_q[s + 1] - q0, k0 = cu_k[s], lk = cu_k[s + 1] - k0;
    // Causal blocks near the end of a segment see the most keys: start them first.
    const int m0 = (causal ? gridDim.x - 1 - blockIdx.x : blockIdx.x) * BM;
    if (m0 >= lq) return;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const int kh = h / (hq / hkv), diag = lk - lq;
    const bf16* qb = q + ((size_t)q0 * hq + h) * D;
    const bf16* kb = k + ((size_t)k0 * hkv + kh) * D;
    const bf16* vb = v + ((size_t)k0 * hkv + kh) * D;
    const int n_end = causal ? min(lk, m0 + BM + diag) : lk;  // keys past it are hidden from every row here
    const int nblocks = n_end > 0 ? (n_end + BN - 1) / BN : 0;

    load_rows<D, BM, NT>(Qs, qb, hq * D, m0, lq);
    cp_async_commit();
    if (nblocks > 0) load_rows<D, BN, NT>(Ks, kb, hkv * D, 0, lk);
    cp_async_commit();
    cp_async_wait<1>();
    __syncthreads();
    uint32_t qf[D / 16][4];
#pragma unroll
    for (int kk = 0; kk < D / 16; kk++) ldsm_x4(qf[kk], a_addr<LD>(Qs, warp * 16, kk * 16, lane));

    float o[D / 8][4];
#pragma unroll
    for (int dt = 0; dt < D / 8; dt++) o[dt][0] = o[dt][1] = o[dt][2] = o[dt][3] = 0.f;
    float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.f, 0.f};
    const float sl2 = scale * LOG2E;
    const int irow = m0 + warp * 16 + g;  // this thread's rows: irow, irow + 8

    for (int nb = 0; nb < nblocks; nb++) {
        const int n0 = nb * BN;
        cp_async_wait<0>();  // K tile nb
        __syncthreads();     // ... visible to all; every warp is done with V tile nb-1
        load_rows<D, BN, NT>(Vs, vb, hkv * D, n0, lk);
        cp_async_commit();

        float sc[BN / 8][4];
#pragma unroll
        for (int nt = 0; nt < BN / 8; nt++) sc[nt][0] = sc[nt][1] = sc[nt][2] = sc[nt][3] = 0.f;
#pragma unroll
        for (int kk = 0; kk < D / 16; kk++)
#pragma unroll
            for (int np = 0; np < BN / 16; np++) {
                uint32_t b[4];
                ldsm_x4(b, bn_addr<LD>(Ks, np * 16, kk * 16, lane));
                mma16816(sc[2 * np], qf[kk], b[0], b[1]);
                mma16816(sc[2 * np + 1], qf[kk], b[2], b[3]);
            }
        const bool mask = n0 + BN > lk || (causal && n0 + BN - 1 > m0 + diag);
#pragma unroll
        for (int nt = 0; nt < BN / 8; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                float x = sc[nt][e] * sl2;
                if (mask) {
                    const int i = irow + (e >> 1) * 8, j = n0 + nt * 8 + 2 * t + (e & 1);
                    if (j >= lk || (causal && j > i + diag)) x = -INFINITY;
                }
                sc[nt][e] = x;
            }
        // Online softmax per row (the 4 lanes of a quad share a row); lrow stays a per-lane partial sum.
#pragma unroll
        for (int rr = 0; rr < 2; rr++) {
            float mx = -INFINITY;
#pragma unroll
            for (int nt = 0; nt < BN / 8; nt++) mx = fmaxf(mx, fmaxf(sc[nt][2 * rr], sc[nt][2 * rr + 1]));
            mx = fmaxf(mx, __shfl_xor_sync(FULL, mx, 1));
            mx = fmaxf(mx, __shfl_xor_sync(FULL, mx, 2));
            const float mnew = fmaxf(mrow[rr], mx);
            const float mref = mnew == -INFINITY ? 0.f : mnew;  // a row with nothing visible yet keeps p = 0
            const float alpha = exp2_fast(mrow[rr] - mref);
            mrow[rr] = mnew;
            float sum = 0.f;
#pragma unroll
            for (int nt = 0; nt < BN / 8; nt++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const float p = exp2_fast(sc[nt][2 * rr + e] - mref);
                    sc[nt][2 * rr + e] = p;
                    sum += p;
                }
            lrow[rr] = lrow[rr] * alpha + sum;
#pragma unroll
            for (int dt = 0; dt < D / 8; dt++) {
                o[dt][2 * rr] *= alpha;
                o[dt][2 * rr + 1] *= alpha;
            }
        }
        cp_async_wait<0>();  // V tile nb
        __syncthreads();     // ... visible to all; every warp is done with K tile nb
        if (nb + 1 < nblocks) load_rows<D, BN, NT>(Ks, kb, hkv * D, n0 + BN, lk);
        cp_async_commit();
        // O += P·V: the S accumulators of n-tiles 2kk, 2kk+1 are exactly the A fragment of k-step kk.
#pragma unroll
        for (int kk = 0; kk < BN / 16; kk++) {
            const uint32_t pa[4] = {pack_bf16(sc[2 * kk][0], sc[2 * kk][1]), pack_bf16(sc[2 * kk][2], sc[2 * kk][3]),
                                    pack_bf16(sc[2 * kk + 1][0], sc[2 * kk + 1][1]),
                                    pack_bf16(sc[2 * kk + 1][2], sc[2 * kk + 1][3])};
#pragma unroll
            for (int dp = 0; dp < D / 16; dp++) {
                uint32_t b[4];
                ldsm_x4_t(b, bt_addr<LD>(Vs, kk * 16, dp * 16, lane));
                mma16816(o[2 * dp], pa, b[0], b[1]);
                mma16816(o[2 * dp + 1], pa, b[2], b[3]);
            }
        }
    }
    cp_async_wait<0>();

    float inv[2];
#pragma unroll
    for (int rr = 0; rr < 2; rr++) {
        float l = lrow[rr];
        l += __shfl_xor_sync(FULL, l, 1);
        l += __shfl_xor_sync(FULL, l, 2);
        lrow[rr] = l;
        inv[rr] = l > 0.f ? 1.f / l : 0.f;
    }
    // Only this warp ever read its 16 rows of Qs (its A fragments), so it may reuse them as staging.
    store_rows<D>(o, inv, Qs + warp * 16 * LD, out + ((size_t)q0 * hq + h) * D, hq * D, m0 + warp * 16, lq, lane);
    if (t == 0)
#pragma unroll
        for (int rr = 0; rr < 2; rr++) {
            const int i = irow + rr * 8;
            if (i < lq) lse[(size_t)h * nq + q0 + i] = lrow[rr] > 0.f ? mrow[rr] * LN2 + logf(lrow[rr]) : -INFINITY;
        }
}

template <int D, int NW> __host__ __device__ constexpr int dq_smem_bytes() { return (2 * 16 * NW + 4 * BN) * ld_of<D>() * 2; }

// dq for a block of 16·NW queries of one head: for each key tile, S = Q Kᵀ, dP = dO Vᵀ, dS = P ∘ (dP − delta),
// dq += dS K; K/V tiles double-buffered.
template <int D, int NW>
__device__ void attn_bwd_dq_v2(const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v,
                               const bf16* __restrict__ dout, const float* __restrict__ lse,
                               const float* __restrict__ delta, const int* __restrict__ cu_q,
                               const int* __restrict__ cu_k, bf16* __restrict__ dq, int nq, int hq, int hkv,
                               bool causal, float scale) {
    constexpr int BM = 16 * NW, NT = 32 * NW, LD = ld_of<D>();
    extern __shared__ __align__(16) unsigned char smem[];
    bf16* Qs = reinterpret_cast<bf16*>(smem);  // (BM, LD)
    bf16* dOs = Qs + BM * LD;                  // (BM, LD)
    bf16* Ks = dOs + BM * LD;                  // 2 x (BN, LD)
    bf16* Vs = Ks + 2 * BN * LD;               // 2 x (BN, LD)
    const int s = blockIdx.z, h = blockIdx.y;
    const int q0 = cu_q[s], lq = cu_q[s + 1] - q0, k0 = cu_k[s], lk = cu_k[s + 1] - k0;
    const int m0 = (causal ? gridDim.x - 1 - blockIdx.x : blockIdx.x) * BM;
    if (m0 >= lq) return;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const int kh = h / (hq / hkv), diag = lk - lq;
    const size_t qoff = ((size_t)q0 * hq + h) * D;
    const bf16* kb = k + ((size_t)k0 * hkv + kh) * D;
    const bf16* vb = v + ((size_t)k0 * hkv + kh) * D;
    const int n_end = causal ? min(lk, m0 + BM + diag) : lk;
    const int nblocks = n_end > 0 ? (n_end + BN - 1) / BN : 0;

    load_rows<D, BM, NT>(Qs, q + qoff, hq * D, m0, lq);
    load_rows<D, BM, NT>(dOs, dout + qoff, hq * D, m0, lq);
    cp_async_commit();
    if (nblocks > 0) {
        load_rows<D, BN, NT>(Ks, kb, hkv * D, 0, lk);
        load_rows<D, BN, NT>(Vs, vb, hkv * D, 0, lk);
    }
    cp_async_commit();

    const int irow = m0 + warp * 16 + g;
    float lse2[2], drow[2];
#pragma unroll
    for (int rr = 0; rr < 2; rr++) {
        const int i = irow + rr * 8;
        lse2[rr] = i < lq ? lse[(size_t)h * nq + q0 + i] * LOG2E : 0.f;
        drow[rr] = i < lq ? delta[(size_t)h * nq + q0 + i] : 0.f;
    }
    const float sl2 = scale * LOG2E;
    float acc[D / 8][4];
#pragma unroll
    for (int dt = 0; dt < D / 8; dt++) acc[dt][0] = acc[dt][1] = acc[dt][2] = acc[dt][3] = 0.f;

    for (int nb = 0; nb < nblocks; nb++) {
        const int n0 = nb * BN, buf = nb & 1;
        if (nb + 1 < nblocks) {  // buffer buf^1 was released by the barrier that ended iteration nb-1
            load_rows<D, BN, NT>(Ks + (buf ^ 1) * BN * LD, kb, hkv * D, n0 + BN, lk);
            load_rows<D, BN, NT>(Vs + (buf ^ 1) * BN * LD, vb, hkv * D, n0 + BN, lk);
        }
        cp_async_commit();
        cp_async_wait<1>();  // everything but the tile just issued
        __syncthreads();
        const bf16* Kb = Ks + buf * BN * LD;
        const bf16* Vb = Vs + buf * BN * LD;
        float sc[BN / 8][4], dp[BN / 8][4];
#pragma unroll
        for (int nt = 0; nt < BN / 8; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) sc[nt][e] = dp[nt][e] = 0.f;
#pragma unroll
        for (int kk = 0; kk < D / 16; kk++) {
            uint32_t a[4], b[4];
            ldsm_x4(a, a_addr<LD>(Qs, warp * 16, kk * 16, lane));
#pragma unroll
            for (int np = 0; np < BN / 16; np++) {
                ldsm_x4(b, bn_addr<LD>(Kb, np * 16, kk * 16, lane));
                mma16816(sc[2 * np], a, b[0], b[1]);
                mma16816(sc[2 * np + 1], a, b[2], b[3]);
            }
            ldsm_x4(a, a_addr<LD>(dOs, warp * 16, kk * 16, lane));
#pragma unroll
            for (int np = 0; np < BN / 16; np++) {
                ldsm_x4(b, bn_addr<LD>(Vb, np * 16, kk * 16, lane));
                mma16816(dp[2 * np], a, b[0], b[1]);
                mma16816(dp[2 * np + 1], a, b[2], b[3]);
            }
        }
#pragma unroll
        for (int nt = 0; nt < BN / 8; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int rr = e >> 1, i = irow + rr * 8, j = n0 + nt * 8 + 2 * t + (e & 1);
                const bool vis = i < lq && j < lk && (!causal || j <= i + diag);
                const float p = vis ? exp2_fast(sc[nt][e] * sl2 - lse2[rr]) : 0.f;
                sc[nt][e] = p * (dp[nt][e] - drow[rr]);  // dS, scale applied at the end
            }
#pragma unroll
        for (int kk = 0; kk < BN / 16; kk++) {
            const uint32_t da[4] = {pack_bf16(sc[2 * kk][0], sc[2 * kk][1]), pack_bf16(sc[2 * kk][2], sc[2 * kk][3]),
                                    pack_bf16(sc[2 * kk + 1][0], sc[2 * kk + 1][1]),
                                    pack_bf16(sc[2 * kk + 1][2], sc[2 * kk + 1][3])};
#pragma unroll
            for (int dp2 = 0; dp2 < D / 16; dp2++) {
                uint32_t b[4];
                ldsm_x4_t(b, bt_addr<LD>(Kb, kk * 16, dp2 * 16, lane));
                mma16816(acc[2 * dp2], da, b[0], b[1]);
                mma16816(acc[2 * dp2 + 1], da, b[2], b[3]);
            }
        }
        __syncthreads();  // every warp is done with buffer buf before iteration nb+1 refills it
    }
    cp_async_wait<0>();
    __syncthreads();  // with no key tile, the Q/dO copies of other threads may still be landing in the staging rows
    const float mul[2] = {scale, scale};
    store_rows<D>(acc, mul, Qs + warp * 16 * LD, dq + qoff, hq * D, m0 + warp * 16, lq, lane);
}

template <int D, int NW, int BMQ> __host__ __device__ constexpr int dkdv_smem_bytes() {
    return (2 * 16 * NW + 4 * BMQ) * ld_of<D>() * 2 + 4 * BMQ * 4;
}

// dk, dv for a block of 16·NW keys of one K/V head: loops over the group's query heads and the query tiles of
// BMQ rows that may see these keys: Sᵀ = K Qᵀ, dPᵀ = V dOᵀ, dv += Pᵀ dO, dk += dSᵀ Q. Query tiles (Q, dO, lse,
// delta) are double-buffered.
template <int D, int NW, int BMQ>
__device__ void attn_bwd_dkdv_v2(const bf16* __restrict__ q, const bf16* __restrict__ k,
                                 const bf16* __restrict__ v, const bf16* __restrict__ dout,
                                 const float* __restrict__ lse, const float* __restrict__ delta,
                                 const int* __restrict__ cu_q, const int* __restrict__ cu_k, bf16* __restrict__ dk,
                                 bf16* __restrict__ dv, int nq, int hq, int hkv, bool causal, float scale) {
    constexpr int BNK = 16 * NW, NT = 32 * NW, LD = ld_of<D>();
    extern __shared__ __align__(16) unsigned char smem[];
    bf16* Ks = reinterpret_cast<bf16*>(smem);  // (BNK, LD)
    bf16* Vs = Ks + BNK * LD;                  // (BNK, LD)
    bf16* Qs = Vs + BNK * LD;                  // 2 x (BMQ, LD)
    bf16* dOs = Qs + 2 * BMQ * LD;             // 2 x (BMQ, LD)
    float* Ls = reinterpret_cast<float*>(dOs + 2 * BMQ * LD);  // 2 x BMQ
    float* Ds = Ls + 2 * BMQ;                                  // 2 x BMQ
    const int s = blockIdx.z, kh = blockIdx.y;
    const int q0 = cu_q[s], lq = cu_q[s + 1] - q0, k0 = cu_k[s], lk = cu_k[s + 1] - k0;
    const int n0 = blockIdx.x * BNK;
    if (n0 >= lk) return;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const int group = hq / hkv, diag = lk - lq;
    const size_t koff = ((size_t)k0 * hkv + kh) * D;
    const int i_first = causal ? max(0, n0 - diag) : 0;  // queries before it see none of these keys
    const int qt0 = i_first / BMQ;
    const int nqt = max(0, (lq + BMQ - 1) / BMQ - qt0);
    const int total = group * nqt;

    // Issues the loads of step `it` (head, query tile) into buffer `buf`.
    auto issue = [&](int it, int buf) {
        const int h = kh * group + it / nqt, m0 = (qt0 + it % nqt) * BMQ;
        const size_t qoff = ((size_t)q0 * hq + h) * D;
        load_rows<D, BMQ, NT>(Qs + buf * BMQ * LD, q + qoff, hq * D, m0, lq);
        load_rows<D, BMQ, NT>(dOs + buf * BMQ * LD, dout + qoff, hq * D, m0, lq);
        if (threadIdx.x < BMQ) {
            const int i = m0 + threadIdx.x;
            const bool ok = i < lq;
            const size_t so = (size_t)h * nq + q0 + (ok ? i : 0);
            cp_async4(Ls + buf * BMQ + threadIdx.x, lse + so, ok);
            cp_async4(Ds + buf * BMQ + threadIdx.x, delta + so, ok);
        }
    };

    load_rows<D, BNK, NT>(Ks, k + koff, hkv * D, n0, lk);
    load_rows<D, BNK, NT>(Vs, v + koff, hkv * D, n0, lk);
    cp_async_commit();
    if (total > 0) issue(0, 0);
    cp_async_commit();

    const float sl2 = scale * LOG2E;
    const int jrow = n0 + warp * 16 + g;  // this thread's keys: jrow, jrow + 8
    float ak[D / 8][4], av[D / 8][4];
#pragma unroll
    for (int dt = 0; dt < D / 8; dt++)
#pragma unroll
        for (int e = 0; e < 4; e++) ak[dt][e] = av[dt][e] = 0.f;

    for (int it = 0; it < total; it++) {
        const int buf = it & 1;
        if (it + 1 < total) issue(it + 1, buf ^ 1);
        cp_async_commit();
        cp_async_wait<1>();
        __syncthreads();
        const int m0 = (qt0 + it % nqt) * BMQ;
        const bf16* Qb = Qs + buf * BMQ * LD;
        const bf16* dOb = dOs + buf * BMQ * LD;
        const float* Lb = Ls + buf * BMQ;
        const float* Db = Ds + buf * BMQ;
        float sc[BMQ / 8][4], dp[BMQ / 8][4];
#pragma unroll
        for (int nt = 0; nt < BMQ / 8; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) sc[nt][e] = dp[nt][e] = 0.f;
#pragma unroll
        for (int kk = 0; kk < D / 16; kk++) {
            uint32_t a[4], b[4];
            ldsm_x4(a, a_addr<LD>(Ks, warp * 16, kk * 16, lane));
#pragma unroll
            for (int np = 0; np < BMQ / 16; np++) {
                ldsm_x4(b, bn_addr<LD>(Qb, np * 16, kk * 16, lane));
                mma16816(sc[2 * np], a, b[0], b[1]);
                mma16816(sc[2 * np + 1], a, b[2], b[3]);
            }
            ldsm_x4(a, a_addr<LD>(Vs, warp * 16, kk * 16, lane));
#pragma unroll
            for (int np = 0; np < BMQ / 16; np++) {
                ldsm_x4(b, bn_addr<LD>(dOb, np * 16, kk * 16, lane));
                mma16816(dp[2 * np], a, b[0], b[1]);
                mma16816(dp[2 * np + 1], a, b[2], b[3]);
            }
        }
        // Rows are keys, columns queries.
#pragma unroll
        for (int nt = 0; nt < BMQ / 8; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int col = nt * 8 + 2 * t + (e & 1), i = m0 + col, j = jrow + (e >> 1) * 8;
                const bool vis = i < lq && j < lk && (!causal || j <= i + diag);
                const float p = vis ? exp2_fast(sc[nt][e] * sl2 - Lb[col] * LOG2E) : 0.f;
                sc[nt][e] = p;
                dp[nt][e] = p * (dp[nt][e] - Db[col]);
            }
#pragma unroll
        for (int kk = 0; kk < BMQ / 16; kk++) {
            const uint32_t pa[4] = {pack_bf16(sc[2 * kk][0], sc[2 * kk][1]), pack_bf16(sc[2 * kk][2], sc[2 * kk][3]),
                                    pack_bf16(sc[2 * kk + 1][0], sc[2 * kk + 1][1]),
                                    pack_bf16(sc[2 * kk + 1][2], sc[2 * kk + 1][3])};
            const uint32_t sa[4] = {pack_bf16(dp[2 * kk][0], dp[2 * kk][1]), pack_bf16(dp[2 * kk][2], dp[2 * kk][3]),
                                    pack_bf16(dp[2 * kk + 1][0], dp[2 * kk + 1][1]),
                                    pack_bf16(dp[2 * kk + 1][2], dp[2 * kk + 1][3])};
#pragma unroll
            for (int dp2 = 0; dp2 < D / 16; dp2++) {
                uint32_t b[4];
                ldsm_x4_t(b, bt_addr<LD>(dOb, kk * 16, dp2 * 16, lane));
                mma16816(av[2 * dp2], pa, b[0], b[1]);
                mma16816(av[2 * dp2 + 1], pa, b[2], b[3]);
                ldsm_x4_t(b, bt_addr<LD>(Qb, kk * 16, dp2 * 16, lane));
                mma16816(ak[2 * dp2], sa, b[0], b[1]);
                mma16816(ak[2 * dp2 + 1], sa, b[2], b[3]);
            }
        }
        __syncthreads();  // every warp is done with buffer buf before step it+1 refills it
    }
    cp_async_wait<0>();
    __syncthreads();  // the K/V tiles are complete even when no step ran (they are the staging area)
    const float ms[2] = {scale, scale}, one[2] = {1.f, 1.f};
    store_rows<D>(ak, ms, Ks + warp * 16 * LD, dk + koff, hkv * D, n0 + warp * 16, lk, lane);
    store_rows<D>(av, one, Vs + warp * 16 * LD, dv + koff, hkv * D, n0 + warp * 16, lk, lane);
}

// Dynamic shared memory of each instantiated configuration: the launchers pass these byte counts (Java, and
// tools/gpu-dev/ops.py, whose self-test reads these lines).
static_assert(fwd_smem_bytes<64, 4>() == 27648, "tools/gpu-dev/ops.py fwd_smem");
static_assert(fwd_smem_bytes<80, 4>() == 33792, "tools/gpu-dev/ops.py fwd_smem");
static_assert(fwd_smem_bytes<128, 4>() == 52224, "tools/gpu-dev/ops.py fwd_smem");
static_assert(fwd_smem_bytes<64, 8>() == 36864, "tools/gpu-dev/ops.py fwd_smem");
static_assert(fwd_smem_bytes<80, 8>() == 45056, "tools/gpu-dev/ops.py fwd_smem");
static_assert(fwd_smem_bytes<128, 8>() == 69632, "tools/gpu-dev/ops.py fwd_smem");
static_assert(dq_smem_bytes<64, 4>() == 55296, "tools/gpu-dev/ops.py dq_smem");
static_assert(dq_smem_bytes<80, 4>() == 67584, "tools/gpu-dev/ops.py dq_smem");
static_assert(dq_smem_bytes<128, 4>() == 104448, "tools/gpu-dev/ops.py dq_smem");
static_assert(dkdv_smem_bytes<64, 4, 64>() == 56320, "tools/gpu-dev/ops.py dkdv_smem");
static_assert(dkdv_smem_bytes<80, 4, 64>() == 68608, "tools/gpu-dev/ops.py dkdv_smem");
static_assert(dkdv_smem_bytes<128, 4, 32>() == 70144, "tools/gpu-dev/ops.py dkdv_smem");

}  // namespace

// ============================================================================================ entry points

// grid (ceil(max Lq / 4), Hq, S), block 128, no dynamic shared memory.
extern "C" __global__ void __launch_bounds__(128)
pm_attn_fwd_v1_bf16(const bf16* q, const bf16* k, const bf16* v, const int* cu_q, const int* cu_k, bf16* out,
                    float* lse, int nq, int hq, int hkv, int d, int causal, float scale) {
    attn_fwd_v1(q, k, v, cu_q, cu_k, out, lse, nq, hq, hkv, d, causal != 0, scale);
}

// delta (Hq, Nq) = rowsum(dout * out): one warp per (row, head); grid (ceil(Nq * Hq / 8)), block 256.
extern "C" __global__ void __launch_bounds__(256)
pm_attn_bwd_prep_bf16(const bf16* out, const bf16* dout, float* delta, int nq, int hq, int d) {
    const long long w = (long long)blockIdx.x * 8 + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (w >= (long long)nq * hq) return;
    const int n = (int)(w / hq), h = (int)(w - (long long)n * hq);
    const bf16* o = out + w * d;
    const bf16* g = dout + w * d;
    float acc = 0.f;
    for (int c = lane; c < d; c += 32) acc += __bfloat162float(o[c]) * __bfloat162float(g[c]);
    acc = warp_sum(acc);
    if (lane == 0) delta[(size_t)h * nq + n] = acc;
}

// grid (ceil(max Lq / 4), Hq, S), block 128.
extern "C" __global__ void __launch_bounds__(128)
pm_attn_bwd_dq_v1_bf16(const bf16* q, const bf16* k, const bf16* v, const bf16* dout, const float* lse,
                       const float* delta, const int* cu_q, const int* cu_k, bf16* dq, int nq, int hq, int hkv, int d,
                       int causal, float scale) {
    attn_bwd_dq_v1(q, k, v, dout, lse, delta, cu_q, cu_k, dq, nq, hq, hkv, d, causal != 0, scale);
}

// grid (ceil(max Lk / 4), Hkv, S), block 128.
extern "C" __global__ void __launch_bounds__(128)
pm_attn_bwd_dkdv_v1_bf16(const bf16* q, const bf16* k, const bf16* v, const bf16* dout, const float* lse,
                         const float* delta, const int* cu_q, const int* cu_k, bf16* dk, bf16* dv, int nq, int hq,
                         int hkv, int d, int causal, float scale) {
    attn_bwd_dkdv_v1(q, k, v, dout, lse, delta, cu_q, cu_k, dk, dv, nq, hq, hkv, d, causal != 0, scale);
}

// v2 forward: grid (ceil(max Lq / (16 NW)), Hq, S), block 32 NW, dynamic shared memory fwd_smem_bytes<D, NW>.
// v2 = 4 warps (64 queries per block), v3 = 8 warps (128 queries per block, K/V tiles shared by more rows).
#define PM_ATTN_FWD(NAME, D, NW)                                                                              \
    extern "C" __global__ void __launch_bounds__(32 * NW)                                                    \
    NAME(const bf16* q, const bf16* k, const bf16* v, const int* cu_q, const int* cu_k, bf16* out, float* lse, \
         int nq, int hq, int hkv, int d, int causal, float scale) {                                          \
        attn_fwd_v2<D, NW>(q, k, v, cu_q, cu_k, out, lse, nq, hq, hkv, causal != 0, scale);                  \
    }
PM_ATTN_FWD(pm_attn_fwd_v2_d64_bf16, 64, 4)
PM_ATTN_FWD(pm_attn_fwd_v2_d80_bf16, 80, 4)
PM_ATTN_FWD(pm_attn_fwd_v2_d128_bf16, 128, 4)
PM_ATTN_FWD(pm_attn_fwd_v3_d64_bf16, 64, 8)
PM_ATTN_FWD(pm_attn_fwd_v3_d80_bf16, 80, 8)
PM_ATTN_FWD(pm_attn_fwd_v3_d128_bf16, 128, 8)

// v2 dq: grid (ceil(max Lq / 64), Hq, S), block 128, dynamic shared memory dq_smem_bytes<D, 4>.
#define PM_ATTN_DQ(NAME, D, NW)                                                                               \
    extern "C" __global__ void __launch_bounds__(32 * NW)                                                    \
    NAME(const bf16* q, const bf16* k, const bf16* v, const bf16* dout, const float* lse, const float* delta,   \
         const int* cu_q, const int* cu_k, bf16* dq, int nq, int hq, int hkv, int d, int causal, float scale) { \
        attn_bwd_dq_v2<D, NW>(q, k, v, dout, lse, delta, cu_q, cu_k, dq, nq, hq, hkv, causal != 0, scale);   \
    }
PM_ATTN_DQ(pm_attn_bwd_dq_v2_d64_bf16, 64, 4)
PM_ATTN_DQ(pm_attn_bwd_dq_v2_d80_bf16, 80, 4)
PM_ATTN_DQ(pm_attn_bwd_dq_v2_d128_bf16, 128, 4)

// v2 dk/dv: grid (ceil(max Lk / 64), Hkv, S), block 128, dynamic shared memory dkdv_smem_bytes<D, 4, BMQ>.
#define PM_ATTN_DKDV(NAME, D, NW, BMQ)                                                                        \
    extern "C" __global__ void __launch_bounds__(32 * NW)                                                    \
    NAME(const bf16* q, const bf16* k, const bf16* v, const bf16* dout, const float* lse, const float* delta,   \
         const int* cu_q, const int* cu_k, bf16* dk, bf16* dv, int nq, int hq, int hkv, int d, int causal,       \
         float scale) {                                                                                       \
        attn_bwd_dkdv_v2<D, NW, BMQ>(q, k, v, dout, lse, delta, cu_q, cu_k, dk, dv, nq, hq, hkv, causal != 0,   \
                                     scale);                                                                  \
    }
PM_ATTN_DKDV(pm_attn_bwd_dkdv_v2_d64_bf16, 64, 4, 64)
PM_ATTN_DKDV(pm_attn_bwd_dkdv_v2_d80_bf16, 80, 4, 64)
PM_ATTN_DKDV(pm_attn_bwd_dkdv_v2_d128_bf16, 128, 4, 32)

// Token sampling on the device: logits (B, V) f32 -> ids (B) int32, one block per row.
//
// Each row r has its own parameters (row_params, PM_SAMPLE_ROW_WORDS int32 words per row: temperature, top_k,
// top_p, penalty as float bits / int, then the 64-bit seed, the 32-bit stream and the 64-bit step, low word first),
// so one launch serves a batch whose sequences were asked for with different settings. row_params == nullptr
// means greedy without penalty for every row (the argmax launch).
//
// Per row, in Hugging Face's processor order:
//   1. repetition penalty over the row's previous ids (each distinct id once, as HF's gather/scatter does):
//      y = l < 0 ? l * penalty : l / penalty;
//   2. greedy when temperature <= 0 or top_k == 1: the argmax of y (lowest index on ties);
//   3. x = y / temperature;
//   4. top-k (0 < top_k < V): keep x >= the k-th largest x (ties at the threshold are kept, as in HF);
//   5. top-p (top_p < 1): of the kept tokens, keep those whose value is at least the largest threshold t with
//      mass(x >= t) >= top_p (HF keeps a token iff the mass strictly above it is < top_p; the two agree except
//      that tokens tied with the last kept value are all kept);
//   6. sample from softmax(x) restricted to the kept set by the Gumbel-max trick: argmax of x + G with
//      G = -log(-log(u)), u drawn from Philox4x32-10 keyed by the row's seed at counter (index / 4, stream, step):
//      a pure function of (logits, parameters, seed, stream, step), independent of the row's place in the batch
//      and of the launch geometry, so a request draws the same tokens whatever else is batched with it.
// NaN logits count as -inf. Top-k/top-p thresholds come from radix selection over an order-preserving integer
// image of x, in 4 passes of 8 bits; the top-p masses are 2^-40 fixed-point integers (exact, order-free sums).
// thresh_out (B), when not null, receives the final threshold on x (-inf when nothing was cut; the max y when
// greedy), for tests.
#include "tile_common.cuh"

#define PM_SAMPLE_ROW_WORDS 9

using namespace tile;

namespace {

constexpr int ST = 1024;  // threads per row
constexpr float WSCALE = 1099511627776.f;  // 2^40

__device__ __forceinline__ uint32_t key_of(float x) {
    const uint32_t b = __float_as_uint(x);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ float value_of(uint32_t u) {
    return __uint_as_float((u & 0x80000000u) ? (u & 0x7fffffffu) : ~u);
}

// Philox4x32-10 (Salmon et al., SC'11; Random123's philox4x32).
__device__ __forceinline__ uint4 philox(uint4 c, uint2 k) {
#pragma unroll
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k.x += 0x9E3779B9u;
            k.y += 0xBB67AE85u;
        }
        const uint32_t hi0 = __umulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        const uint32_t hi1 = __umulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = make_uint4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    }
    return c;
}

struct Best {
    float v;
    int i;
};

// Larger value wins; on equal values the lower index.
__device__ __forceinline__ Best better(Best a, Best b) {
    return (b.v > a.v || (b.v == a.v && b.i < a.i)) ? b : a;
}

__device__ Best block_best(Best b, Best* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    for (int o = 16; o > 0; o >>= 1) {
        Best x{__shfl_xor_sync(FULL, b.v, o), __shfl_xor_sync(FULL, b.i, o)};
        b = better(b, x);
    }
    if (lane == 0) scratch[warp] = b;
    __syncthreads();
    if (warp == 0) {
        b = lane < ST / 32 ? scratch[lane] : Best{-INFINITY, 0x7fffffff};
        for (int o = 16; o > 0; o >>= 1) {
            Best x{__shfl_xor_sync(FULL, b.v, o), __shfl_xor_sync(FULL, b.i, o)};
            b = better(b, x);
        }
        if (lane == 0) scratch[0] = b;
    }
    __syncthreads();
    b = scratch[0];
    __syncthreads();  // scratch may be reused at once
    return b;
}

// Warp 0: the digit d (255 down to 0) at which the running total of hist[255], hist[254], ... first reaches
// `need`, and the total strictly above it. Requires Σ hist >= need.
template <typename T>
__device__ void pick_digit(const T* hist, T need, int* digit_out, T* above_out) {
    const int lane = threadIdx.x & 31;
    T mine = 0;
#pragma unroll
    for (int q = 0; q < 8; q++) mine += hist[255 - lane * 8 - q];
    T incl = mine;
    for (int o = 1; o < 32; o <<= 1) {
        const T x = __shfl_up_sync(FULL, incl, o);
        if (lane >= o) incl += x;
    }
    const T excl = incl - mine;
    const unsigned crossing = __ballot_sync(FULL, excl < need && incl >= need);
    if (lane == __ffs(crossing) - 1) {
        T run = excl;
        for (int q = 0; q < 8; q++) {
            const int d = 255 - lane * 8 - q;
            if (run + hist[d] >= need) {
                *digit_out = d;
                *above_out = run;
                break;
            }
            run += hist[d];
        }
    }
}

struct Row {
    const float* logits;
    int v;
    const uint32_t* bitmap;  // previous ids, or null
    float penalty, temperature;

    __device__ __forceinline__ float y(int i) const {
        float l = logits[i];
        if (l != l) l = -INFINITY;
        if (bitmap && (bitmap[i >> 5] >> (i & 31) & 1u)) l = l < 0.f ? l * penalty : l / penalty;
        return l;
    }
    __device__ __forceinline__ float x(int i) const { return y(i) / temperature; }
};

// The key of the k-th largest x (1 <= k <= V).
__device__ uint32_t select_kth(const Row& row, int k, int* hist, int* sh_digit, int* sh_above) {
    uint32_t prefix = 0, mask = 0;
    int need = k;
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int i = threadIdx.x; i < 256; i += ST) hist[i] = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < row.v; i += ST) {
            const uint32_t u = key_of(row.x(i));
            if ((u & mask) == prefix) atomicAdd(&hist[(u >> shift) & 255], 1);
        }
        __syncthreads();
        if (threadIdx.x < 32) pick_digit<int>(hist, need, sh_digit, sh_above);
        __syncthreads();
        prefix |= (uint32_t)*sh_digit << shift;
        mask |= 255u << shift;
        need -= *sh_above;
        __syncthreads();
    }
    return prefix;
}

__device__ __forceinline__ unsigned long long weight(float x, float xmax) {
    return __float2ull_rn(expf(x - xmax) * WSCALE);
}

// The key of the largest x (among keys >= floor) such that the fixed-point mass of {x' >= x} reaches top_p.
__device__ uint32_t select_top_p(const Row& row, uint32_t floor, float xmax, float top_p,
                                 unsigned long long* whist, int* sh_digit, unsigned long long* sh_above) {
    // Total mass of the kept set, in the first bin of the histogram.
    if (threadIdx.x == 0) whist[0] = 0;
    __syncthreads();
    unsigned long long part = 0;
    for (int i = threadIdx.x; i < row.v; i += ST) {
        const float x = row.x(i);
        if (key_of(x) >= floor) part += weight(x, xmax);
    }
    atomicAdd(&whist[0], part);
    __syncthreads();
    const unsigned long long total = whist[0];
    unsigned long long need = (unsigned long long)ceil((double)top_p * (double)total);
    need = max(1ull, min(need, total));
    __syncthreads();
    uint32_t prefix = 0, mask = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int i = threadIdx.x; i < 256; i += ST) whist[i] = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < row.v; i += ST) {
            const float x = row.x(i);
            const uint32_t u = key_of(x);
            if (u >= floor && (u & mask) == prefix) {
                const unsigned long long w = weight(x, xmax);
                if (w) atomicAdd(&whist[(u >> shift) & 255], w);
            }
        }
        __syncthreads();
        if (threadIdx.x < 32) pick_digit<unsigned long long>(whist, need, sh_digit, sh_above);
        __syncthreads();
        prefix |= (uint32_t)*sh_digit << shift;
        mask |= 255u << shift;
        need -= *sh_above;
        __syncthreads();
    }
    return prefix;
}

}  // namespace

// grid (B), block 1024; dynamic shared memory 4 * ceil(V / 32) bytes when prev_ids != null (a bitmap of the
// previous ids of rows whose penalty != 1), else 0. prev_offsets (B+1) and prev_ids are CSR: row r's previous ids
// are prev_ids[prev_offsets[r] .. prev_offsets[r+1]); ids outside [0, V) are ignored. `ld` is the row stride of
// the logits; only the first `vocab` columns are read.
extern "C" __global__ void __launch_bounds__(ST, 1)
pm_sample_f32(const float* logits, int ld, int vocab, const int* prev_offsets, const int* prev_ids,
              const int* row_params, int* ids, float* thresh_out) {
    extern __shared__ uint32_t bitmap[];
    __shared__ Best scratch[ST / 32];
    __shared__ int hist[256];
    __shared__ unsigned long long whist[256];
    __shared__ int sh_digit;
    __shared__ int sh_above;
    __shared__ unsigned long long sh_wabove;
    const int r = blockIdx.x;
    float temperature = 0.f, top_p = 1.f, penalty = 1.f;
    int top_k = 0;
    unsigned long long seed = 0, step = 0;
    uint32_t stream = 0;
    if (row_params != nullptr) {
        const int* rp = row_params + (size_t)r * PM_SAMPLE_ROW_WORDS;
        temperature = __uint_as_float((uint32_t)rp[0]);
        top_k = rp[1];
        top_p = __uint_as_float((uint32_t)rp[2]);
        penalty = __uint_as_float((uint32_t)rp[3]);
        seed = (unsigned long long)(uint32_t)rp[4] | ((unsigned long long)(uint32_t)rp[5] << 32);
        stream = (uint32_t)rp[6];
        step = (unsigned long long)(uint32_t)rp[7] | ((unsigned long long)(uint32_t)rp[8] << 32);
    }
    const bool use_pen = penalty != 1.f && prev_ids != nullptr;
    if (use_pen) {
        const int words = (vocab + 31) >> 5;
        for (int i = threadIdx.x; i < words; i += ST) bitmap[i] = 0;
        __syncthreads();
        for (int i = prev_offsets[r] + threadIdx.x; i < prev_offsets[r + 1]; i += ST) {
            const int id = prev_ids[i];
            if (id >= 0 && id < vocab) atomicOr(&bitmap[id >> 5], 1u << (id & 31));
        }
        __syncthreads();
    }
    Row row{logits + (size_t)r * ld, vocab, use_pen ? bitmap : nullptr, penalty, temperature};

    Best b{-INFINITY, 0x7fffffff};
    for (int i = threadIdx.x; i < vocab; i += ST) b = better(b, Best{row.y(i), i});
    b = block_best(b, scratch);
    // A +inf logit holds all of the row's mass (the lowest such id wins the Gumbel tie) and would make the top-p
    // masses NaN: such a row is greedy, as in RefSampling.
    if (!(temperature > 0.f) || top_k == 1 || b.v == INFINITY) {
        if (threadIdx.x == 0) {
            ids[r] = b.i < vocab ? b.i : 0;  // an all-NaN row has no best; id 0 keeps the caller in range
            if (thresh_out) thresh_out[r] = b.v;
        }
        return;
    }
    const float xmax = b.v / temperature;
    uint32_t floor = 0;  // every key is >= 0: nothing cut
    if (top_k > 0 && top_k < vocab) floor = select_kth(row, top_k, hist, &sh_digit, &sh_above);
    if (top_p < 1.f && xmax != -INFINITY)
        floor = select_top_p(row, floor, xmax, top_p, whist, &sh_digit, &sh_wabove);

    const uint2 key = make_uint2((uint32_t)seed, (uint32_t)(seed >> 32));
    Best s{-INFINITY, 0x7fffffff};
    for (int base = threadIdx.x * 4; base < vocab; base += ST * 4) {
        const uint4 w = philox(make_uint4((uint32_t)(base >> 2), stream, (uint32_t)step, (uint32_t)(step >> 32)), key);
        // Element base + e takes word e of the block, so the draw depends only on the element index.
        auto draw = [&](int i, uint32_t bits) {
            if (i >= vocab) return;
            const float x = row.x(i);
            if (key_of(x) < floor || x == -INFINITY) return;
            const float u = __uint2float_rn(bits >> 9) * 1.1920928955078125e-7f + 5.9604644775390625e-8f;  // (k+½)/2^23
            s = better(s, Best{x - logf(-logf(u)), i});
        };
        draw(base, w.x);
        draw(base + 1, w.y);
        draw(base + 2, w.z);
        draw(base + 3, w.w);
    }
    s = block_best(s, scratch);
    if (threadIdx.x == 0) {
        ids[r] = s.i < vocab ? s.i : b.i;
        if (thresh_out) thresh_out[r] = floor == 0 ? -INFINITY : value_of(floor);
    }
}

// Philox4x32-10 of n (counter, key) pairs, for the harness to check the generator bit for bit:
// ctr (n, 4), key (n, 2), out (n, 4) uint32. grid (ceil(n / 256)), block 256.
extern "C" __global__ void __launch_bounds__(256)
pm_philox4x32_test(const uint32_t* ctr, const uint32_t* key, uint32_t* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const uint4 c = make_uint4(ctr[4 * i], ctr[4 * i + 1], ctr[4 * i + 2], ctr[4 * i + 3]);
    const uint4 o = philox(c, make_uint2(key[2 * i], key[2 * i + 1]));
    out[4 * i] = o.x;
    out[4 * i + 1] = o.y;
    out[4 * i + 2] = o.z;
    out[4 * i + 3] = o.w;
}

// CUDA on the CPU, just enough to run cuda-kernels/{flash_attention,decode_attention,logprob,sampling}.cu as
// written: every CUDA thread is a cooperative fiber; __syncthreads, __syncwarp and the warp collectives
// (shuffles, ballot, ldmatrix, mma.sync) are barriers between fibers, and the collectives compute what the PTX
// ISA specifies for each lane. cp.async copies land at once. A barrier that can never complete (a collective in
// divergent code, __syncthreads skipped by some threads) is reported as a deadlock.
//
// This header replaces tile_common.cuh (and cuda_bf16.h) when emu.py compiles the kernels with g++. It is a
// test instrument: it checks index arithmetic, fragment layouts, masking and control flow, not timing, memory
// ordering of real asynchronous copies, or floating-point rounding of the tensor cores.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)
#define __shared__ static  // static shared arrays; blocks run one at a time

struct uint3 { unsigned x, y, z; };
struct uint2 { unsigned x, y; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct float2 { float x, y; };
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return uint4{x, y, z, w}; }
inline uint2 make_uint2(unsigned x, unsigned y) { return uint2{x, y}; }

// ------------------------------------------------------------------ runtime (runtime.cpp)
struct EmuThread {
    uint3 tidx;
    int lane, warp;
};
extern EmuThread* emu_cur;
extern uint3 blockIdx, blockDim, gridDim;
#define threadIdx (emu_cur->tidx)
unsigned char* emu_dynamic_smem();
void emu_syncthreads();
void emu_syncwarp();
// All lanes deposit `bytes` of `in`; after the barrier, `fn(lane, slots)` runs per lane; a second barrier ends it.
uint32_t* emu_warp_slots();
void emu_warp_barrier();

inline void __syncthreads() { emu_syncthreads(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu_syncwarp(); }

template <typename T> inline T emu_exchange(T v, int src) {
    static_assert(sizeof(T) <= 8, "shuffle of a type wider than 8 bytes");
    uint32_t* s = emu_warp_slots();
    std::memcpy(s + 16 * emu_cur->lane, &v, sizeof(T));
    emu_warp_barrier();
    T r;
    std::memcpy(&r, s + 16 * src, sizeof(T));
    emu_warp_barrier();
    return r;
}
template <typename T> inline T __shfl_xor_sync(unsigned, T v, int mask) { return emu_exchange(v, emu_cur->lane ^ mask); }
template <typename T> inline T __shfl_sync(unsigned, T v, int src) { return emu_exchange(v, src & 31); }
template <typename T> inline T __shfl_up_sync(unsigned, T v, unsigned d) {
    const int l = emu_cur->lane;
    T r = emu_exchange(v, l >= (int)d ? l - (int)d : l);
    return r;
}
inline unsigned __ballot_sync(unsigned, int pred) {
    uint32_t* s = emu_warp_slots();
    s[16 * emu_cur->lane] = pred ? 1u : 0u;
    emu_warp_barrier();
    unsigned m = 0;
    for (int l = 0; l < 32; l++) m |= (s[16 * l] & 1u) << l;
    emu_warp_barrier();
    return m;
}
inline int __ffs(int x) { return __builtin_ffs(x); }

// ------------------------------------------------------------------ arithmetic intrinsics
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline float __uint2float_rn(unsigned u) { return (float)u; }
inline unsigned long long __float2ull_rn(float f) { return (unsigned long long)std::nearbyint((double)f); }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
// expf, logf, exp2f, log2f, fmaxf, ceil: the C library's, from <cmath> (global namespace)
#include <math.h>

template <typename T> inline T atomicAdd(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned atomicOr(unsigned* p, unsigned v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }
template <typename T> inline T __ldg(const T* p) { return *p; }

// ------------------------------------------------------------------ bf16
struct __nv_bfloat16 { uint16_t bits; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
inline float __bfloat162float(__nv_bfloat16 b) { return __uint_as_float((unsigned)b.bits << 16); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return __nv_bfloat16{0x7fc0};
    u += 0x7fffu + ((u >> 16) & 1u);
    return __nv_bfloat16{(uint16_t)(u >> 16)};
}
inline __nv_bfloat162 __floats2bfloat162_rn(float a, float b) {
    return __nv_bfloat162{__float2bfloat16_rn(a), __float2bfloat16_rn(b)};
}
inline float2 __bfloat1622float2(__nv_bfloat162 v) { return float2{__bfloat162float(v.x), __bfloat162float(v.y)}; }
typedef __nv_bfloat16 bf16;

// ------------------------------------------------------------------ tile_common.cuh's helpers
namespace tile {

constexpr float LOG2E = 1.4426950408889634f;
constexpr float LN2 = 0.6931471805599453f;
constexpr unsigned FULL = 0xffffffffu;

inline float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL, v, o);
    return v;
}
inline float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL, v, o));
    return v;
}
inline float exp2_fast(float x) { return exp2f(x); }
inline uint32_t pack_bf16(float lo, float hi) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    uint32_t r;
    std::memcpy(&r, &v, 4);
    return r;
}

inline float emu_bf16_at(uint32_t word, int half) { return __uint_as_float(half ? (word & 0xffff0000u) : (word << 16)); }

// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32, lane = 4g + t:
// A: a0 (g, 2t..), a1 (g+8, 2t..), a2 (g, 2t+8..), a3 (g+8, 2t+8..); B: b0 (k 2t.., n g), b1 (k 2t+8.., n g);
// D: d0 d1 (g, 2t 2t+1), d2 d3 (g+8, 2t 2t+1).
inline void mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    uint32_t* s = emu_warp_slots();
    uint32_t* me = s + 16 * emu_cur->lane;
    for (int i = 0; i < 4; i++) me[i] = a[i];
    me[4] = b0;
    me[5] = b1;
    emu_warp_barrier();
    auto A = [&](int r, int k) {
        const int lane = (r % 8) * 4 + (k % 8) / 2, reg = (r >= 8 ? 1 : 0) + (k >= 8 ? 2 : 0);
        return emu_bf16_at(s[16 * lane + reg], k % 2);
    };
    auto B = [&](int k, int n) {
        const int lane = n * 4 + (k % 8) / 2, reg = k >= 8 ? 1 : 0;
        return emu_bf16_at(s[16 * lane + 4 + reg], k % 2);
    };
    const int g = emu_cur->lane >> 2, t = emu_cur->lane & 3;
    float out[4];
    for (int e = 0; e < 4; e++) {
        const int r = g + (e >> 1) * 8, c = 2 * t + (e & 1);
        float acc = d[e];
        for (int k = 0; k < 16; k++) acc += A(r, k) * B(k, c);
        out[e] = acc;
    }
    emu_warp_barrier();
    for (int e = 0; e < 4; e++) d[e] = out[e];
}

// ldmatrix.sync.aligned.m8n8.x4(.trans).shared.b16: lanes 8i..8i+7 address the rows of matrix i;
// register i of lane l = 4g + t holds (row g, cols 2t, 2t+1), or with .trans (rows 2t, 2t+1, col g).
inline void emu_ldsm(uint32_t (&r)[4], const bf16* p, bool trans) {
    uint32_t* s = emu_warp_slots();
    std::memcpy(s + 16 * emu_cur->lane, &p, sizeof p);
    emu_warp_barrier();
    auto row = [&](int lane) {
        const uint16_t* q;
        std::memcpy(&q, s + 16 * lane, sizeof q);
        return q;
    };
    const int g = emu_cur->lane >> 2, t = emu_cur->lane & 3;
    uint32_t out[4];
    for (int i = 0; i < 4; i++) {
        uint16_t lo, hi;
        if (!trans) {
            lo = row(8 * i + g)[2 * t];
            hi = row(8 * i + g)[2 * t + 1];
        } else {
            lo = row(8 * i + 2 * t)[g];
            hi = row(8 * i + 2 * t + 1)[g];
        }
        out[i] = (uint32_t)lo | ((uint32_t)hi << 16);
    }
    emu_warp_barrier();
    for (int i = 0; i < 4; i++) r[i] = out[i];
}
inline void ldsm_x4(uint32_t (&r)[4], const bf16* p) { emu_ldsm(r, p, false); }
inline void ldsm_x4_t(uint32_t (&r)[4], const bf16* p) { emu_ldsm(r, p, true); }

inline void cp_async16(void* smem, const void* gmem, bool pred) {
    if (pred) std::memcpy(smem, gmem, 16);
    else std::memset(smem, 0, 16);
}
inline void cp_async4(void* smem, const void* gmem, bool pred) {
    if (pred) std::memcpy(smem, gmem, 4);
    else std::memset(smem, 0, 4);
}
inline void cp_async_commit() {}
template <int N> inline void cp_async_wait() {}

}  // namespace tile

// Replaces cuda_bf16.h / cuda_fp16.h for the elementwise families (common.cuh) in the CPU emulator: what those
// kernels use beyond tile_common's helpers. half via the compiler's _Float16 (round to nearest even, as
// __float2half_rn); rsqrtf exact (the GPU's is within 2 ulp).
#pragma once
#include "cuda_shim.h"
struct __half { uint16_t bits; };
inline float __half2float(__half h) { uint16_t b = h.bits; _Float16 f; std::memcpy(&f, &b, 2); return (float)f; }
inline __half __float2half_rn(float x) { _Float16 f = (_Float16)x; __half h; std::memcpy(&h.bits, &f, 2); return h; }
struct alignas(16) float4 { float x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
inline int atomicCAS(int* p, int cmp, int val) { __atomic_compare_exchange_n(p, &cmp, val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); return cmp; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }

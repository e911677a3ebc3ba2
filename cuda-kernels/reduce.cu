// Reductions: sum of all elements and column sums of (R, C) rows (the backward of a broadcast add).
// Both are two-stage with a fixed number of partials, so the order of additions depends only on the shape:
// results repeat bit for bit from run to run (DESIGN: reductions in a fixed order).
#include "common.cuh"

// Stage 1 of sum: block b sums elements b*blockDim + t, stepping by the whole grid, then reduces in a tree.
// The host launches a fixed grid (PM_SUM_PARTIALS blocks of 256) whatever the device.
template <typename T>
__device__ void sum_partial(const T* __restrict__ x, long long n, float* __restrict__ partials) {
    __shared__ float scratch[32];
    float acc = 0.f;
    for (long long i = global_tid(); i < n; i += grid_stride()) acc += to_f(x[i]);
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = acc;
}
extern "C" __global__ void pm_sum_partial_f32(const float* x, long long n, float* partials) { sum_partial(x, n, partials); }
extern "C" __global__ void pm_sum_partial_bf16(const bf16* x, long long n, float* partials) { sum_partial(x, n, partials); }

// Stage 2: one block adds the partials (in a fixed tree) and writes out[0] (overwrites).
extern "C" __global__ void pm_sum_final(const float* __restrict__ partials, int count, float* __restrict__ out) {
    __shared__ float scratch[32];
    float acc = 0.f;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc += partials[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) out[0] = acc;
}

// Stage 1 of column sums: block (bx, by) covers 32 columns starting at 32*bx and the rows r with
// r % gridDim.y == by; its 32x8 threads stride over those rows, then the 8 row-lanes reduce in shared memory.
// partials (gridDim.y, C).
template <typename T>
__device__ void sum_rows_partial(const T* __restrict__ x, long long rows, int cols, float* __restrict__ partials) {
    __shared__ float tile[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    float acc = 0.f;
    if (c < cols)
        for (long long r = blockIdx.y + (long long)gridDim.y * threadIdx.y; r < rows; r += (long long)gridDim.y * 8)
            acc += to_f(x[r * cols + c]);
    tile[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float s = 0.f;
#pragma unroll
        for (int k = 0; k < 8; k++) s += tile[k][threadIdx.x];
        partials[(long long)blockIdx.y * cols + c] = s;
    }
}
extern "C" __global__ void pm_sum_rows_partial_f32(const float* x, long long rows, int cols, float* partials) {
    sum_rows_partial(x, rows, cols, partials);
}
extern "C" __global__ void pm_sum_rows_partial_bf16(const bf16* x, long long rows, int cols, float* partials) {
    sum_rows_partial(x, rows, cols, partials);
}

// Stage 2 of column sums, shared with the norm backward passes (their dw/db partials):
// out[c] = (accumulate ? out[c] : 0) + sum over chunks k of partials[k, c], k in order.
extern "C" __global__ void pm_reduce_chunks(const float* __restrict__ partials, int chunks, int cols,
                                           float* __restrict__ out, int accumulate) {
    for (long long c = global_tid(); c < cols; c += grid_stride()) {
        float s = 0.f;
        for (int k = 0; k < chunks; k++) s += partials[(long long)k * cols + c];
        out[c] = accumulate ? out[c] + s : s;
    }
}

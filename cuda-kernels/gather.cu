// Embedding rows: gather (the lookup) and deterministic scatter-add (its backward).
#include "common.cuh"

// out[r] = table[idx[r]], byte for byte (any dtype): row_bytes per row, moved as 16-byte pieces when the
// row length and both pointers allow (`vec`). An index outside [0, vocab) leaves its row untouched and
// reports the first such position through `err` (the host raises it at the next synchronisation).
extern "C" __global__ void pm_gather_rows(const unsigned char* __restrict__ table, const int* __restrict__ idx,
                                          unsigned char* __restrict__ out, long long n, long long row_bytes,
                                          int vocab, int vec, int* err) {
    long long unit = vec ? 16 : 1, per_row = row_bytes / unit, total = n * per_row;
    for (long long i = global_tid(); i < total; i += grid_stride()) {
        long long r = i / per_row, k = i - r * per_row;
        int id = idx[r];
        if (id < 0 || id >= vocab) {
            if (k == 0) report_error(err, PM_ERR_INDEX, r, id);
            continue;
        }
        if (vec)
            reinterpret_cast<uint4*>(out + r * row_bytes)[k] =
                __ldg(reinterpret_cast<const uint4*>(table + (long long)id * row_bytes) + k);
        else
            out[r * row_bytes + k] = table[(long long)id * row_bytes + k];
    }
}

// dst[idx[r]] += src[r] for r = 0..n-1 in order: one thread per column walks the rows in order, so every
// destination element receives its additions in the reference's order (bitwise repeatable, no atomics).
// The price is parallelism of only C threads; the embedding backward runs once per step.
template <typename T>
__device__ void scatter_add_rows(const T* __restrict__ src, const int* __restrict__ idx, float* __restrict__ dst,
                                 long long n, int C, int vocab, int* err) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    for (long long r = 0; r < n; r++) {
        int id = idx[r];
        if (id < 0 || id >= vocab) {
            if (c == 0) report_error(err, PM_ERR_SCATTER_INDEX, r, id);
            continue;
        }
        dst[(long long)id * C + c] += to_f(src[r * C + c]);
    }
}
extern "C" __global__ void pm_scatter_add_rows_f32(const float* src, const int* idx, float* dst, long long n, int C,
                                                   int vocab, int* err) {
    scatter_add_rows(src, idx, dst, n, C, vocab, err);
}
extern "C" __global__ void pm_scatter_add_rows_bf16(const bf16* src, const int* idx, float* dst, long long n, int C,
                                                    int vocab, int* err) {
    scatter_add_rows(src, idx, dst, n, C, vocab, err);
}

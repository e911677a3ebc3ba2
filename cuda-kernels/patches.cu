// Qwen2-VL patchify: frames (T, C, H, W) <-> patches (T/tp * H/p * W/p, C*tp*p*p), rows in merge-block order
// (gt, bh, bw, mh, mw), columns in (c, t, ph, pw) order. A pure permutation, so it is dtype-blind: kernels
// move 2- or 4-byte elements. One thread per patch element: writes (extract) or reads (fold) are contiguous.
#include "common.cuh"

__device__ __forceinline__ long long patch_source(int ch, int h, int w, int tp, int p, int m, long long r, int col) {
    int gh = h / p, gw = w / p;
    int mw = (int)(r % m), mh = (int)((r / m) % m);
    int bw = (int)((r / (m * m)) % (gw / m)), bh = (int)((r / ((long long)m * m * (gw / m))) % (gh / m));
    long long gt = r / ((long long)gh * gw);
    int pw = col % p, ph = (col / p) % p, t = (col / (p * p)) % tp, c = col / (p * p * tp);
    long long frame = gt * tp + t, y = (long long)(bh * m + mh) * p + ph, x = (long long)(bw * m + mw) * p + pw;
    return ((frame * ch + c) * h + y) * w + x;
}

template <typename E>
__device__ void patches(E* frames, E* out, int t_frames, int ch, int h, int w, int tp, int p, int m, int fold) {
    long long rows = (long long)(t_frames / tp) * (h / p) * (w / p);
    int cols = ch * tp * p * p;
    long long total = rows * cols;
    for (long long i = global_tid(); i < total; i += grid_stride()) {
        long long r = i / cols;
        int col = (int)(i - r * cols);
        long long s = patch_source(ch, h, w, tp, p, m, r, col);
        if (fold) frames[s] = out[i];
        else out[i] = frames[s];
    }
}
#define PM_PATCHES(NAME, E)                                                                                   \
    extern "C" __global__ void NAME(E* frames, E* patches_, int t, int c, int h, int w, int tp, int p, int m,  \
                                    int fold) {                                                               \
        patches<E>(frames, patches_, t, c, h, w, tp, p, m, fold);                                             \
    }
PM_PATCHES(pm_patches_b2, unsigned short)
PM_PATCHES(pm_patches_b4, unsigned int)

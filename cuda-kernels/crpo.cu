// CRPO rewards and group-normalised advantages (DESIGN §6), one block (of at most 256 threads) for the whole batch: the work is
// B*G*C*D small integers, and a single block keeps every reduction in one fixed order.
//
//   score(v) = 1 (win), tieScore (tie), 0 (loss); missing comparisons (-1) are left out of the mean over c;
//   a (g, d) with no comparison at all scores tieScore (no evidence either way);
//   R[b,g]   = sum_d w[d] * mean_c score(verdicts[b,g,c,d]);
//   A[b,g]   = R[b,g] - mean_g R[b,:], then divided by (std + eps) with std the unbiased standard deviation of
//              the group (scaling 0) or of all B*G rewards (scaling 1), or left as is (scaling 2);
//              a group of one has std 0, and a group of equal rewards gets advantages exactly 0.
#include "common.cuh"

#define PM_VERDICT_MISSING -1
#define PM_VERDICT_LOSS 0
#define PM_VERDICT_TIE 1
#define PM_VERDICT_WIN 2

extern "C" __global__ void __launch_bounds__(256) pm_crpo_advantage(const int* __restrict__ verdicts, const float* __restrict__ weights,
                                             int B, int G, int C, int D, float tie, int scaling, float eps,
                                             float* __restrict__ rewards, float* __restrict__ adv, int* err) {
    __shared__ float scratch[32];
    int groups = B * G;
    for (int bg = threadIdx.x; bg < groups; bg += blockDim.x) {
        float r = 0.f;
        for (int d = 0; d < D; d++) {
            float s = 0.f;
            int valid = 0;
            for (int c = 0; c < C; c++) {
                long long at = ((long long)bg * C + c) * D + d;
                int v = verdicts[at];
                if (v == PM_VERDICT_WIN) s += 1.f;
                else if (v == PM_VERDICT_TIE) s += tie;
                else if (v != PM_VERDICT_LOSS && v != PM_VERDICT_MISSING) report_error(err, PM_ERR_VERDICT, at, v);
                valid += v != PM_VERDICT_MISSING;
            }
            r += weights[d] * (valid > 0 ? s / valid : tie);
        }
        rewards[bg] = r;
    }
    __syncthreads();
    for (int b = threadIdx.x; b < B; b += blockDim.x) {  // group statistics, one thread per group
        const float* rb = rewards + (long long)b * G;
        float mean = 0.f, var = 0.f, lo = rb[0], hi = rb[0];
        for (int g = 0; g < G; g++) {
            mean += rb[g];
            lo = fminf(lo, rb[g]);
            hi = fmaxf(hi, rb[g]);
        }
        mean /= G;
        for (int g = 0; g < G; g++) var += (rb[g] - mean) * (rb[g] - mean);
        float std = G > 1 ? sqrtf(var / (G - 1)) : 0.f;
        for (int g = 0; g < G; g++) {
            float a = lo == hi ? 0.f : rb[g] - mean;  // equal rewards: exactly no signal, whatever the rounding of mean
            adv[(long long)b * G + g] = scaling == 0 ? a / (std + eps) : a;
        }
    }
    if (scaling != 1) return;
    __syncthreads();
    float s = 0.f;
    for (int i = threadIdx.x; i < groups; i += blockDim.x) s += rewards[i];
    float mean = block_sum(s, scratch) / groups, q = 0.f;
    for (int i = threadIdx.x; i < groups; i += blockDim.x) q += (rewards[i] - mean) * (rewards[i] - mean);
    q = block_sum(q, scratch);
    float std = groups > 1 ? sqrtf(q / (groups - 1)) : 0.f;
    for (int i = threadIdx.x; i < groups; i += blockDim.x) adv[i] = adv[i] / (std + eps);
}

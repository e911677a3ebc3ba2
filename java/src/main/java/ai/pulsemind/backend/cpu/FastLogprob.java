package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static ai.pulsemind.backend.cpu.MicroKernel.MR;
import static ai.pulsemind.backend.cpu.MicroKernel.NR;
import static ai.pulsemind.backend.cpu.MicroKernel.S;
import static ai.pulsemind.backend.cpu.MicroKernel.VL;
import static ai.pulsemind.backend.cpu.MicroKernel.ceilDiv;
import static ai.pulsemind.backend.cpu.MicroKernel.roundUp;

/**
 * Fused LM head + log-softmax on the GEMM micro-kernel. Tokens are processed in chunks of {@link #NT}, and the
 * vocabulary in blocks of {@link #VB} rows, so only a (VB x NT) tile of logits exists at a time:
 *
 * <pre>
 * per token chunk:  Hᵀ (C, NT) packed once, tokens along vector lanes
 *   per vocab block:  Zᵀ (VB, NT) = W_blk (VB, C) · Hᵀ / T               micro-kernel
 *     forward:   per-token max and Σ exp over the block → partials, combined in block order
 *     backward:  Gᵀ = g·(onehot − exp(Zᵀ − lse)) / T                    (VB, NT)
 *                dW_blk += Gᵀ · H (NT, C)     dH_chunk += G · W_blk      micro-kernel
 * </pre>
 *
 * Forward partials are per fixed vocab block, so the result does not depend on the thread count. In the backward
 * each piece owns a contiguous range of vocab blocks (one range per thread): dW rows have one owner, and each
 * piece's dH partial is added in range order, so results are bit-identical run to run for a given thread count.
 */
final class FastLogprob {
    /** Tokens per chunk: a multiple of both NR (vector panels) and MR (rows of the dH product). */
    static final int NT = 6 * NR;
    /** Vocab rows per block: W_blk (VB x C) and the logits tile (VB x NT) stay in L2. */
    static final int VB = 96;
    private static final int SLOT_W = 14, SLOT_Z = 15, SLOT_T = 16, SLOT_DH = 17;
    private static final int LENT_HT = 3, LENT_HR = 4;

    private FastLogprob() {}

    /** One call's operands. */
    private record Call(MemorySegment h, MemorySegment w, MemorySegment targets, float invT, int n, int c, int vocab, int cp) {
        int blocks() { return ceilDiv(vocab, VB); }
    }

    static void forward(CpuPool pool, MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                        MemorySegment logp, MemorySegment lse, int n, int c, int vocab) {
        checkTargets("logprob", targets, n, vocab);
        Call call = new Call(h, w, targets, 1f / temperature, n, c, vocab, roundUp(c, NR));
        int blocks = call.blocks();
        float[] pm = new float[blocks * NT], ps = new float[blocks * NT], zt = new float[NT];
        float[] hT = pool.borrow(LENT_HT, c * NT);
        try {
            for (int t0 = 0; t0 < n; t0 += NT) {
                int nt = Math.min(NT, n - t0), tf = t0;
                packTokensT(pool, call, t0, nt, hT);
                pool.run(blocks, (b, wk) -> {
                    float[] z = logits(pool, wk, call, b, nt, hT);
                    blockStats(z, call, b, tf, nt, pm, ps, zt);
                });
                combine(pm, ps, zt, blocks, call, t0, nt, logp, lse);
            }
        } finally {
            pool.giveBack(LENT_HT, hT);
        }
    }

    /** A target must name a vocabulary row (or be negative: a masked token). */
    private static void checkTargets(String op, MemorySegment targets, int n, int vocab) {
        for (int i = 0; i < n; i++) {
            int t = targets.getAtIndex(Mem.I, i);
            if (t >= vocab)
                throw new IllegalArgumentException(op + ": targets[" + i + "] = " + t + " is outside the vocabulary of " + vocab);
        }
    }

    /** Hᵀ of tokens [t0, t0+nt) as NT/NR panels of (C x NR), zero past nt. */
    private static void packTokensT(CpuPool pool, Call call, int t0, int nt, float[] hT) {
        FastGemm.Mat hm = new FastGemm.Mat(call.h(), 0, call.n(), call.c(), true);
        pool.run(ceilDiv(nt, NR), (p, wk) -> FastGemm.packB(hm, 0, call.c(), t0 + p * NR, Math.max(0, Math.min(NR, nt - p * NR)),
                hT, p * call.c() * NR, pool, wk));
    }

    /**
     * Zᵀ (VB x NT) of vocab block b for the first nt tokens (whole panels, whole row tiles), scaled by 1/T;
     * W_blk is left packed (VB x cp, zero rows past the vocabulary) in slot W of the worker.
     */
    private static float[] logits(CpuPool pool, int wk, Call call, int b, int nt, float[] hT) {
        int v0 = b * VB, nv = Math.min(VB, call.vocab() - v0), cp = call.cp();
        float[] wb = pool.floats(wk, SLOT_W, VB * cp), z = pool.floats(wk, SLOT_Z, VB * NT);
        FastGemm.packRows(call.w(), (long) v0 * call.c(), call.c(), nv, call.c(), wb, 0, cp, VB);
        MicroKernel.block(roundUp(nv, MR), ceilDiv(nt, NR), call.c(), wb, 0, cp, 1, hT, 0, NR, call.c() * NR, z, 0, NT, false);
        for (int i = 0; i < nv * NT; i += VL) FloatVector.fromArray(S, z, i).mul(call.invT()).intoArray(z, i);
        return z;
    }

    /** Per token lane: max and Σ exp(z − max) over the valid rows of the block; the target's logit if it is here. */
    private static void blockStats(float[] z, Call call, int b, int t0, int nt, float[] pm, float[] ps, float[] zt) {
        int v0 = b * VB, nv = Math.min(VB, call.vocab() - v0);
        for (int v = 0; v < roundUp(nt, VL); v += VL) {
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < nv; r++) mx = mx.max(FloatVector.fromArray(S, z, r * NT + v));
            FloatVector sum = FloatVector.zero(S);
            for (int r = 0; r < nv; r++) sum = sum.add(VecMath.exp(FloatVector.fromArray(S, z, r * NT + v).sub(mx)));
            mx.intoArray(pm, b * NT + v);
            sum.intoArray(ps, b * NT + v);
        }
        for (int i = 0; i < nt; i++) {
            int t = call.targets().getAtIndex(Mem.I, t0 + i);
            if (t >= v0 && t < v0 + nv) zt[i] = z[(t - v0) * NT + i];
        }
    }

    /** lse = M + log Σ_b s_b·e^(m_b − M), blocks in order; logp = z_target − lse, or 0 for a negative target. */
    private static void combine(float[] pm, float[] ps, float[] zt, int blocks, Call call, int t0, int nt,
                                MemorySegment logp, MemorySegment lse) {
        for (int v = 0; v < roundUp(nt, VL); v += VL) {
            FloatVector mx = FloatVector.fromArray(S, pm, v);
            for (int b = 1; b < blocks; b++) mx = mx.max(FloatVector.fromArray(S, pm, b * NT + v));
            FloatVector sum = FloatVector.zero(S);
            for (int b = 0; b < blocks; b++)
                sum = VecMath.exp(FloatVector.fromArray(S, pm, b * NT + v).sub(mx)).fma(FloatVector.fromArray(S, ps, b * NT + v), sum);
            mx.intoArray(pm, v);
            sum.intoArray(ps, v);
        }
        for (int i = 0; i < nt; i++) {
            float l = pm[i] + (float) Math.log(ps[i]);
            int t = call.targets().getAtIndex(Mem.I, t0 + i);
            lse.setAtIndex(Mem.F, t0 + i, l);
            logp.setAtIndex(Mem.F, t0 + i, t < 0 ? 0f : zt[i] - l);
        }
    }

    // ------------------------------------------------------------------ backward

    static void backward(CpuPool pool, MemorySegment h, MemorySegment w, MemorySegment targets, float temperature,
                         MemorySegment lse, MemorySegment dlogp, MemorySegment dh, MemorySegment dw,
                         int n, int c, int vocab) {
        checkTargets("logprobBackward", targets, n, vocab);
        Call call = new Call(h, w, targets, 1f / temperature, n, c, vocab, roundUp(c, NR));
        int cp = call.cp(), blocks = call.blocks(), ranges = Math.min(blocks, pool.threads());
        float[] hT = pool.borrow(LENT_HT, c * NT), hR = pool.borrow(LENT_HR, NT * cp);
        float[] dhPart = new float[ranges * NT * cp], gl = new float[2 * NT];
        try {
            for (int t0 = 0; t0 < n; t0 += NT) {
                int nt = Math.min(NT, n - t0), tf = t0;
                packTokensT(pool, call, t0, nt, hT);
                FastGemm.packRows(h, (long) t0 * c, c, nt, c, hR, 0, cp, NT);
                // gl[0, NT): g/T per token, gl[NT, 2NT): its lse; a masked token or a lane past nt gets g = 0 and
                // lse = +∞, so its probabilities are exactly 0 (never ∞·0).
                for (int i = 0; i < NT; i++) {
                    boolean live = i < nt && targets.getAtIndex(Mem.I, t0 + i) >= 0;
                    gl[i] = live ? dlogp.getAtIndex(Mem.F, t0 + i) * call.invT() : 0f;
                    gl[NT + i] = live ? lse.getAtIndex(Mem.F, t0 + i) : Float.POSITIVE_INFINITY;
                }
                Arrays.fill(dhPart, 0f);
                pool.run(ranges, (rg, wk) -> {
                    for (int b = rg * blocks / ranges; b < (rg + 1) * blocks / ranges; b++)
                        backwardBlock(pool, wk, call, b, tf, nt, hT, hR, gl, dhPart, rg * NT * cp, dw);
                });
                for (int i = 0; i < nt; i++) {
                    for (int x = 0; x < c; x += VL) {
                        int at = i * cp + x;
                        FloatVector acc = FloatVector.fromArray(S, dhPart, at);
                        for (int rg = 1; rg < ranges; rg++) acc = acc.add(FloatVector.fromArray(S, dhPart, rg * NT * cp + at));
                        acc.intoMemorySegment(dh, ((long) (t0 + i) * c + x) * 4, FastElementwise.NATIVE, S.indexInRange(x, c));
                    }
                }
            }
        } finally {
            pool.giveBack(LENT_HT, hT);
            pool.giveBack(LENT_HR, hR);
        }
    }

    /** Gᵀ for vocab block b, then dW_blk += Gᵀ·H and dH_part += G·W_blk. */
    private static void backwardBlock(CpuPool pool, int wk, Call call, int b, int t0, int nt, float[] hT, float[] hR,
                                      float[] gl, float[] dhPart, int dhAt, MemorySegment dw) {
        int v0 = b * VB, nv = Math.min(VB, call.vocab() - v0), cp = call.cp();
        float[] z = logits(pool, wk, call, b, nt, hT);
        float[] wb = pool.floats(wk, SLOT_W, VB * cp);
        int lanes = roundUp(nt, NR), rows = roundUp(nv, MR);
        for (int v = 0; v < lanes; v += VL) {
            FloatVector g = FloatVector.fromArray(S, gl, v), l = FloatVector.fromArray(S, gl, NT + v);
            for (int r = 0; r < rows; r++) {
                int o = r * NT + v;
                if (r >= nv) { FloatVector.zero(S).intoArray(z, o); continue; }
                VecMath.exp(FloatVector.fromArray(S, z, o).sub(l)).neg().mul(g).intoArray(z, o);
            }
        }
        for (int i = 0; i < nt; i++) { // the one-hot term
            int t = call.targets().getAtIndex(Mem.I, t0 + i);
            if (t >= v0 && t < v0 + nv) z[(t - v0) * NT + i] += gl[i];
        }
        if (dw != null) {
            float[] tile = pool.floats(wk, SLOT_T, VB * NR);
            for (int p = 0; p < cp / NR; p++) {
                MicroKernel.block(rows, 1, nt, z, 0, NT, 1, hR, p * NR, cp, 0, tile, 0, NR, false);
                FastGemm.store(tile, nv, Math.min(NR, call.c() - p * NR), dw, (long) v0 * call.c() + p * NR, call.c(),
                        1f, 0f, false);
            }
        }
        MicroKernel.block(roundUp(nt, MR), cp / NR, nv, z, 0, 1, NT, wb, 0, cp, NR, dhPart, dhAt, cp, true);
    }
}

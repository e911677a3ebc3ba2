"""Host-side composition of the kernels in cuda-kernels/{flash_attention,decode_attention,logprob,sampling}.cu:
launch geometry, dynamic shared memory, scratch buffers, and the GEMMs around the log-prob kernels.

This file is the executable form of tools/gpu-dev/README.md: the Java launchers follow it. Tensors are torch
tensors (any object with data_ptr() works for the kernel arguments); `kernels` maps kernel names to launchable
functions (cudrv.Function).
"""

import torch

# ---------------------------------------------------------------------------------------------- geometry

BN = 64                                  # key tile of the v2 forward and dq kernels
DKDV_BMQ = {64: 64, 80: 64, 128: 32}     # query tile of the v2 dk/dv kernel per head dim (register budget)
FWD_WARPS = {"v2": 4, "v3": 8}
HEAD_DIMS = (64, 80, 128)
DECODE_GB = 8                            # query heads per decode split block
DECODE_MIN_CHUNK = 64                    # keys per split, at least
SAMPLE_THREADS = 1024
LP_THREADS = 256


def fwd_smem(d, nw):
    """Bytes of dynamic shared memory of pm_attn_fwd_v2/v3: Q (16 NW rows) + K + V tiles, rows padded to D + 8."""
    return (16 * nw + 2 * BN) * (d + 8) * 2


def dq_smem(d, nw=4):
    """Q, dO (16 NW rows each) + double-buffered K, V tiles."""
    return (2 * 16 * nw + 4 * BN) * (d + 8) * 2


def dkdv_smem(d, nw=4):
    """K, V (16 NW rows each) + double-buffered Q, dO tiles of BMQ rows + double-buffered lse, delta (f32)."""
    bmq = DKDV_BMQ[d]
    return (2 * 16 * nw + 4 * bmq) * (d + 8) * 2 + 4 * bmq * 4


def cdiv(a, b):
    return (a + b - 1) // b


SAMPLE_ROW_WORDS = 9                     # PM_SAMPLE_ROW_WORDS in sampling.cu


def sample_rows(b, temperature, top_k, top_p, penalty, seed, step, streams=None):
    """The kernel's row_params (B * 9 int32): temperature, top_k, top_p, penalty (float bits), seed lo/hi, stream,
    step lo/hi; Java's SampleRow.pack writes the same words."""
    import struct
    words = []
    for r in range(b):
        f = lambda x: struct.unpack("<i", struct.pack("<f", float(x)))[0]
        u = lambda x: struct.unpack("<i", struct.pack("<I", int(x) & 0xFFFFFFFF))[0]
        sd, st = int(seed) & (2 ** 64 - 1), int(step) & (2 ** 64 - 1)
        words += [f(temperature), int(top_k), f(top_p), f(penalty), u(sd), u(sd >> 32),
                  u(r if streams is None else streams[r]), u(st), u(st >> 32)]
    return torch.tensor(words, dtype=torch.int32)


def decode_plan(batch, hq, hkv, max_len, sms):
    """(nsplit, chunk) for the split decode: enough blocks for ~2 waves of the device, at least
    DECODE_MIN_CHUNK keys per split, and no split that starts past max_len."""
    blocks = batch * hkv * cdiv(hq // hkv, DECODE_GB)
    if max_len <= 0:
        return 1, 1
    nsplit = max(1, min(cdiv(2 * sms, blocks), cdiv(max_len, DECODE_MIN_CHUNK)))
    chunk = cdiv(max_len, nsplit)
    return cdiv(max_len, chunk), chunk


# ---------------------------------------------------------------------------------------------- GEMMs

class Gemm:
    """bf16 x bf16 -> f32 GEMMs for the log-prob composition (cuBLASLt with f32 C/D in the Java backend).
    PyTorch offers them on CUDA as aten::mm.dtype_out / addmm.dtype_out; `probe` tries, in order, accumulating in
    place (out aliasing self), accumulating through a temporary, and plain f32 copies of the operands (slow, but
    everywhere), and keeps the first that computes the right numbers."""

    MODES = ("dtype_out", "dtype_tmp", "f32-copies")

    def __init__(self):
        self.mode = "dtype_out"

    def probe(self, device):
        g = torch.Generator(device="cpu").manual_seed(7)
        a = torch.randn(33, 40, generator=g).to(device, torch.bfloat16)
        b = torch.randn(40, 24, generator=g).to(device, torch.bfloat16)
        c0 = torch.randn(33, 24, generator=g).to(device)
        want = a.double() @ b.double()
        for mode in self.MODES:
            self.mode = mode
            try:
                out = torch.empty(33, 24, device=device)
                self.mm(a, b, out)
                c = c0.clone()
                self.addmm_(c, a, b)
                if (out.double() - want).abs().max() < 1e-3 and (c.double() - c0.double() - want).abs().max() < 1e-3:
                    return mode
            except Exception:
                pass
        raise RuntimeError("no working bf16 -> f32 GEMM path")

    def mm(self, a, b, out):
        """out (M, N) f32 = a (M, K) · b (K, N), bf16 operands (views with strides are fine)."""
        if self.mode == "f32-copies":
            torch.mm(a.float(), b.float(), out=out)
        else:
            torch.ops.aten.mm.dtype_out(a, b, torch.float32, out=out)

    def addmm_(self, c, a, b):
        """c (M, N) f32 += a · b."""
        if self.mode == "dtype_out":
            torch.ops.aten.addmm.dtype_out(c, a, b, torch.float32, beta=1, alpha=1, out=c)
        elif self.mode == "dtype_tmp":
            c.add_(torch.ops.aten.mm.dtype(a, b, torch.float32))
        else:
            c.addmm_(a.float(), b.float())


# ---------------------------------------------------------------------------------------------- ops

class Ops:
    def __init__(self, kernels, stream=lambda: 0, sms=132, gemm=None):
        self.k, self.stream, self.sms, self.gemm = kernels, stream, sms, gemm or Gemm()

    def _launch(self, name, grid, block, smem, *args):
        if name not in self.k:
            raise KeyError(f"kernel {name} is not in the loaded modules")
        self.k[name].launch(grid, block, smem, self.stream(), *args)

    # ------------------------------------------------------------------ attention

    @staticmethod
    def _attn_dims(q, k, cu_q, cu_k):
        nq, hq, d = q.shape
        hkv = k.shape[1]
        if hq % hkv:
            raise ValueError(f"attention: Hq={hq} is not a multiple of Hkv={hkv}")
        if d > 128 or d % 8:
            raise ValueError(f"attention: head dim {d} (need a multiple of 8, at most 128)")
        if cu_q.numel() != cu_k.numel() or cu_q.dtype != torch.int32 or cu_k.dtype != torch.int32:
            raise ValueError("attention: cu_seqlens must be int32 tensors of equal length S+1")
        return nq, hq, hkv, d, cu_q.numel() - 1

    def attn_fwd(self, variant, q, k, v, cu_q, cu_k, max_lq, out, lse, causal, scale):
        """q (Nq, Hq, D), k, v (Nk, Hkv, D) bf16; cu_q, cu_k (S+1) int32; out (Nq, Hq, D) bf16; lse (Hq, Nq) f32."""
        nq, hq, hkv, d, segs = self._attn_dims(q, k, cu_q, cu_k)
        if max_lq == 0 or segs == 0:
            return
        args = (q, k, v, cu_q, cu_k, out, lse, nq, hq, hkv, d, int(causal), float(scale))
        if variant == "v1":
            self._launch("pm_attn_fwd_v1_bf16", (cdiv(max_lq, 4), hq, segs), (128,), 0, *args)
        else:
            nw = FWD_WARPS[variant]
            self._launch(f"pm_attn_fwd_{variant}_d{d}_bf16", (cdiv(max_lq, 16 * nw), hq, segs), (32 * nw,),
                         fwd_smem(d, nw), *args)

    def attn_bwd(self, variant, q, k, v, out, lse, dout, cu_q, cu_k, max_lq, max_lk, dq, dk, dv, causal, scale,
                 delta):
        """dq like q, dk, dv like k (bf16, overwritten); delta (Hq, Nq) f32 scratch."""
        nq, hq, hkv, d, segs = self._attn_dims(q, k, cu_q, cu_k)
        if segs == 0:
            return
        if nq > 0:
            self._launch("pm_attn_bwd_prep_bf16", (cdiv(nq * hq, 8),), (256,), 0, out, dout, delta, nq, hq, d)
        tail = (nq, hq, hkv, d, int(causal), float(scale))
        if variant == "v1":
            if max_lq > 0:
                self._launch("pm_attn_bwd_dq_v1_bf16", (cdiv(max_lq, 4), hq, segs), (128,), 0,
                             q, k, v, dout, lse, delta, cu_q, cu_k, dq, *tail)
            if max_lk > 0:
                self._launch("pm_attn_bwd_dkdv_v1_bf16", (cdiv(max_lk, 4), hkv, segs), (128,), 0,
                             q, k, v, dout, lse, delta, cu_q, cu_k, dk, dv, *tail)
        else:
            if max_lq > 0:
                self._launch(f"pm_attn_bwd_dq_v2_d{d}_bf16", (cdiv(max_lq, 64), hq, segs), (128,), dq_smem(d),
                             q, k, v, dout, lse, delta, cu_q, cu_k, dq, *tail)
            if max_lk > 0:
                self._launch(f"pm_attn_bwd_dkdv_v2_d{d}_bf16", (cdiv(max_lk, 64), hkv, segs), (128,), dkdv_smem(d),
                             q, k, v, dout, lse, delta, cu_q, cu_k, dk, dv, *tail)

    # ------------------------------------------------------------------ decode

    def decode(self, variant, q, k_cache, v_cache, lengths, max_len, out, scale, scratch=None, plan=None, slots=None):
        """q (B, Hq, D), caches (S, Lmax, Hkv, D) bf16, lengths (B) int32 (max_len = their maximum, known to the
        host), out (B, Hq, D) bf16; slots (B) int32, the cache slot of each query row (None: row b reads slot b).
        `scratch` = (o_part (B*Hq*nsplit*D) f32, lse_part (B*Hq*nsplit) f32) sized by decode_scratch(); `plan` =
        (nsplit, chunk) overrides decode_plan (nsplit * chunk must cover max_len). Returns the plan used."""
        b, hq, d = q.shape
        lmax, hkv = k_cache.shape[1], k_cache.shape[2]
        if slots is None:
            slots = torch.arange(b, dtype=torch.int32, device=q.device)
        if variant == "v1":
            self._launch("pm_decode_attn_v1_bf16", (hq, b), (32,), 0, q, k_cache, v_cache, slots, lengths, out, lmax, hq,
                         hkv, d, float(scale))
            return None
        nsplit, chunk = plan or decode_plan(b, hq, hkv, min(max_len, lmax), self.sms)
        if nsplit * chunk < min(max_len, lmax):
            raise ValueError(f"decode: plan {nsplit} x {chunk} does not cover {max_len} keys")
        o_part, lse_part = scratch if scratch is not None else self.decode_scratch(b, hq, d, nsplit, q.device)
        if o_part.numel() < b * hq * nsplit * d or lse_part.numel() < b * hq * nsplit:
            raise ValueError("decode: scratch too small for the plan")
        groups = hkv * cdiv(hq // hkv, DECODE_GB)
        self._launch(f"pm_decode_attn_split_d{d}_bf16", (nsplit, groups, b), (128,), 0, q, k_cache, v_cache, slots,
                     lengths, o_part, lse_part, lmax, hq, hkv, d, nsplit, chunk, float(scale))
        self._launch("pm_decode_attn_combine_bf16", (hq, b), (128,), 0, o_part, lse_part, out, hq, nsplit, d)
        return nsplit, chunk

    def decode_scratch(self, b, hq, d, nsplit, device):
        return (torch.empty(b * hq * nsplit * d, dtype=torch.float32, device=device),
                torch.empty(b * hq * nsplit, dtype=torch.float32, device=device))

    # ------------------------------------------------------------------ log-prob

    def logprob_fwd(self, hidden, weight, targets, temperature, logp, lse, chunk, zbuf, sumbuf):
        """hidden (N, C), weight (V, C) bf16; targets (N) int32; logp, lse (N) f32 out.
        Scratch: zbuf >= N*chunk f32 (one chunk of logits), sumbuf (N) f32."""
        n, vocab = hidden.shape[0], weight.shape[0]
        if n == 0:
            return
        inv_t = 1.0 / temperature
        for ci, v0 in enumerate(range(0, vocab, chunk)):
            vc = min(chunk, vocab - v0)
            z = zbuf[: n * vc].view(n, vc)                       # (N, vc), leading dim vc
            self.gemm.mm(hidden, weight[v0:v0 + vc].t(), z)
            self._launch("pm_logprob_chunk_fwd_f32", (n,), (LP_THREADS,), 0, z, vc, vc, v0, targets, inv_t,
                         int(ci == 0), lse, sumbuf, logp, n)
        self._launch("pm_logprob_finalize_f32", (cdiv(n, 256),), (256,), 0, targets, lse, sumbuf, logp, logp, lse, n)

    def logprob_bwd(self, hidden, weight, targets, temperature, lse, dlogp, dhidden, dweight, chunk, zbuf, dzbuf,
                    dh32):
        """dhidden (N, C) overwritten (any float dtype); dweight (V, C) f32 accumulated, or None.
        Scratch: zbuf >= N*chunk f32, dzbuf >= N*chunk bf16, dh32 (N, C) f32 (may be dhidden when it is f32)."""
        n, vocab = hidden.shape[0], weight.shape[0]
        if n == 0:
            return
        inv_t = 1.0 / temperature
        for ci, v0 in enumerate(range(0, vocab, chunk)):
            vc = min(chunk, vocab - v0)
            wc = weight[v0:v0 + vc]                             # (vc, C)
            z = zbuf[: n * vc].view(n, vc)
            dz = dzbuf[: n * vc].view(n, vc)
            self.gemm.mm(hidden, wc.t(), z)
            self._launch("pm_logprob_chunk_bwd_f32", (n,), (LP_THREADS,), 0, z, vc, vc, v0, targets, lse, dlogp,
                         inv_t, dz, vc, n)
            if ci == 0:
                self.gemm.mm(dz, wc, dh32)                       # dhidden = dZ · W_c
            else:
                self.gemm.addmm_(dh32, dz, wc)                   # dhidden += dZ · W_c
            if dweight is not None:
                self.gemm.addmm_(dweight[v0:v0 + vc], dz.t(), hidden)  # dW_c += dZᵀ · hidden
        if dhidden.data_ptr() != dh32.data_ptr():
            dhidden.copy_(dh32)

    # ------------------------------------------------------------------ sampling

    def sample(self, logits, prev_offsets, prev_ids, temperature, top_k, top_p, penalty, seed, step, ids,
               thresh=None, streams=None):
        """logits (B, V) f32 (row stride = logits.stride(0)); prev_offsets (B+1), prev_ids int32 CSR or None;
        ids (B) int32 out; thresh (B) f32 out or None. The same parameters, seed and step for every row; row r
        draws from stream streams[r] (default r), packed into the kernel's per-row parameter words."""
        b, vocab = logits.shape
        use_pen = penalty != 1.0 and prev_ids is not None
        smem = 4 * cdiv(vocab, 32) if use_pen else 0
        rows = sample_rows(b, temperature, top_k, top_p, penalty, seed, step, streams).to(logits.device)
        self._launch("pm_sample_f32", (b,), (SAMPLE_THREADS,), smem, logits, logits.stride(0), vocab,
                     prev_offsets if use_pen else None, prev_ids if use_pen else None, rows, ids, thresh)

    def philox(self, ctr, key, out):
        n = ctr.shape[0]
        self._launch("pm_philox4x32_test", (cdiv(n, 256),), (256,), 0, ctr, key, out, n)

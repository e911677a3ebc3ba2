"""Python models of the kernels, for the CPU self-test: each takes a launch (grid, block, smem, args) as
cudrv.DryDriver passes it and writes exactly the elements the kernel's blocks own, computed from the
references. They check the host side without a GPU: launch geometry covering every output (outputs start
poisoned), argument order and meaning, scratch layouts, and the multi-kernel compositions (backward prep ->
dq / dk-dv, decode split -> combine, log-prob chunks -> finalize). They do not check the CUDA code itself.
"""
import math

import numpy as np
import torch

import ops
import philox
import refs


def strided(t, rows, cols, ld):
    """(rows, cols) view with row stride ld over t's storage, as a kernel given (pointer, ld) reads it."""
    return torch.as_strided(t, (rows, cols), (ld, 1), t.storage_offset())


def _segs(cu_q, cu_k):
    return list(refs._segments(cu_q.tolist(), cu_k.tolist()))


def _bm(name, block):
    if "_v1_" in name:
        return 4
    return block[0] // 32 * 16


def attn_fwd(name, grid, block, smem, args):
    q, k, v, cu_q, cu_k, out, lse, nq, hq, hkv, d, causal, scale = args
    assert (nq, hq, d) == tuple(q.shape) and hkv == k.shape[1], f"{name}: shape arguments disagree with tensors"
    if "_v1_" not in name:
        assert f"_d{d}_" in name and smem == ops.fwd_smem(d, block[0] // 32), f"{name}: d or smem mismatch"
    ref_out, ref_lse = refs.attention_fwd(q, k, v, cu_q.tolist(), cu_k.tolist(), bool(causal), scale)
    bm = _bm(name, block)
    rev = bool(causal) and "_v1_" not in name
    for s, (q0, lq, _, _) in enumerate(_segs(cu_q, cu_k)):
        assert s < grid[2]
        for x in range(grid[0]):
            m0 = ((grid[0] - 1 - x) if rev else x) * bm
            rows = slice(q0 + m0, q0 + min(lq, m0 + bm))
            for h in range(grid[1]):
                out[rows, h] = ref_out[rows, h].to(out.dtype)
                lse[h, rows] = ref_lse[h, rows].float()


def attn_prep(name, grid, block, smem, args):
    out, dout, delta, nq, hq, d = args
    full = (dout.double() * out.double()).sum(-1)                 # (Nq, Hq)
    for w in range(min(grid[0] * 8, nq * hq)):
        n, h = divmod(w, hq)
        delta[h, n] = full[n, h].float()


def attn_dq(name, grid, block, smem, args):
    q, k, v, dout, lse, delta, cu_q, cu_k, dq, nq, hq, hkv, d, causal, scale = args
    if "_v1_" not in name:
        assert smem == ops.dq_smem(d) and f"_d{d}_" in name
    rdq, _, _ = refs.attention_bwd(q, k, v, None, lse, dout, cu_q.tolist(), cu_k.tolist(), bool(causal), scale,
                                   delta=delta)
    bm = 4 if "_v1_" in name else 64
    rev = bool(causal) and "_v1_" not in name
    for q0, lq, _, _ in _segs(cu_q, cu_k):
        for x in range(grid[0]):
            m0 = ((grid[0] - 1 - x) if rev else x) * bm
            rows = slice(q0 + m0, q0 + min(lq, m0 + bm))
            dq[rows, :grid[1]] = rdq[rows, :grid[1]].to(dq.dtype)


def attn_dkdv(name, grid, block, smem, args):
    q, k, v, dout, lse, delta, cu_q, cu_k, dk, dv, nq, hq, hkv, d, causal, scale = args
    if "_v1_" not in name:
        assert smem == ops.dkdv_smem(d) and f"_d{d}_" in name
    _, rdk, rdv = refs.attention_bwd(q, k, v, None, lse, dout, cu_q.tolist(), cu_k.tolist(), bool(causal), scale,
                                     delta=delta)
    bn = 4 if "_v1_" in name else 64
    for _, _, k0, lk in _segs(cu_q, cu_k):
        for x in range(grid[0]):
            rows = slice(k0 + x * bn, k0 + min(lk, x * bn + bn))
            dk[rows, :grid[1]] = rdk[rows, :grid[1]].to(dk.dtype)
            dv[rows, :grid[1]] = rdv[rows, :grid[1]].to(dv.dtype)


def decode_v1(name, grid, block, smem, args):
    q, kc, vc, slots, lengths, out, lmax, hq, hkv, d, scale = args
    ref = refs.decode(q, kc, vc, lengths.tolist(), scale, slots=slots.tolist())
    for b in range(grid[1]):
        for h in range(grid[0]):
            out[b, h] = ref[b, h].to(out.dtype)


def decode_split(name, grid, block, smem, args):
    """Writes the kernel's partials in its layout: o_part[((b*Hq + h)*nsplit + s)*D + c] normalised over the
    split's keys, lse_part[(b*Hq + h)*nsplit + s] in base 2 (-inf for an empty split)."""
    q, kc, vc, slots, lengths, o_part, lse_part, lmax, hq, hkv, d, nsplit, chunk, scale = args
    assert grid[0] == nsplit and f"_d{d}_" in name
    group = hq // hkv
    ngrp = ops.cdiv(group, ops.DECODE_GB)
    assert grid[1] == hkv * ngrp
    for b in range(grid[2]):
        n = min(int(lengths[b]), lmax)
        for s in range(nsplit):
            s0, s1 = s * chunk, min(n, s * chunk + chunk)
            for y in range(grid[1]):
                kh, sub = divmod(y, ngrp)
                for g in range(min(ops.DECODE_GB, group - sub * ops.DECODE_GB)):
                    h = kh * group + sub * ops.DECODE_GB + g
                    row = (b * hq + h) * nsplit + s
                    if s1 <= s0:
                        o_part[row * d:(row + 1) * d] = 0
                        lse_part[row] = -math.inf
                        continue
                    sl = int(slots[b])
                    sc = kc[sl, s0:s1, kh].double() @ q[b, h].double() * scale
                    l = torch.logsumexp(sc, 0)
                    o_part[row * d:(row + 1) * d] = (torch.softmax(sc, 0) @ vc[sl, s0:s1, kh].double()).float()
                    lse_part[row] = float(l / math.log(2))


def decode_combine(name, grid, block, smem, args):
    o_part, lse_part, out, hq, nsplit, d = args
    for b in range(grid[1]):
        for h in range(grid[0]):
            row = b * hq + h
            ls = lse_part[row * nsplit:(row + 1) * nsplit].double()
            if torch.isinf(ls).all():
                out[b, h] = 0
                continue
            w = torch.exp2(ls - ls.max())
            op = o_part[row * nsplit * d:(row + 1) * nsplit * d].double().view(nsplit, d)
            out[b, h] = ((w @ op) / w.sum()).to(out.dtype)


def logprob_chunk_fwd(name, grid, block, smem, args):
    z, ldz, vc, v0, targets, inv_t, first, run_max, run_sum, tgt, n = args
    zz = strided(z, n, vc, ldz).double() * inv_t
    m = zz.max(1).values
    s = torch.exp(zz - m.unsqueeze(1)).sum(1)
    if not first:
        pm, ps = run_max.double(), run_sum.double()
        mx = torch.maximum(m, pm)
        s = s * torch.exp(m - mx) + ps * torch.exp(pm - mx)
        m = mx
    run_max.copy_(m.float())
    run_sum.copy_(s.float())
    for r in range(n):
        t = int(targets[r])
        if v0 <= t < v0 + vc:
            tgt[r] = zz[r, t - v0].float()
        elif first:
            tgt[r] = math.nan


def logprob_finalize(name, grid, block, smem, args):
    targets, run_max, run_sum, tgt, logp, lse, n = args
    assert grid[0] * block[0] >= n
    l = run_max.double() + torch.log(run_sum.double())
    zt = tgt.double()
    lse.copy_(l.float())
    logp.copy_(torch.where(targets < 0, 0.0, zt - l).float())


def logprob_chunk_bwd(name, grid, block, smem, args):
    z, ldz, vc, v0, targets, lse, dlogp, inv_t, dz, lddz, n = args
    zz = strided(z, n, vc, ldz).double() * inv_t
    p = torch.exp(zz - lse.double().unsqueeze(1))
    onehot = torch.zeros_like(p)
    t = targets.long()
    for r in range(n):
        if v0 <= int(t[r]) < v0 + vc:
            onehot[r, int(t[r]) - v0] = 1
    g = torch.where(t < 0, 0.0, dlogp.double() * inv_t).unsqueeze(1)
    strided(dz, n, vc, lddz).copy_((g * (onehot - p)).to(dz.dtype))


def sample(name, grid, block, smem, args):
    logits, ld, vocab, off, prev, rows, ids, thresh = args
    assert smem == (4 * ops.cdiv(vocab, 32) if prev is not None else 0), "sample: bitmap shared memory"
    lg = torch.as_strided(logits, (grid[0], vocab), (ld, 1), logits.storage_offset()).float().numpy()
    w = rows.numpy().view(np.uint32).astype(np.uint64) if rows is not None else None
    for r in range(grid[0]):
        if w is None:
            temp, top_k, top_p, pen, seed, stream, step = 0.0, 0, 1.0, 1.0, 0, 0, 0
        else:
            x = w[r * ops.SAMPLE_ROW_WORDS:(r + 1) * ops.SAMPLE_ROW_WORDS]
            f = lambda i: float(np.array([x[i]], dtype=np.uint32).view(np.float32)[0])
            temp, top_k, top_p, pen = f(0), int(np.array([x[1]], dtype=np.uint32).view(np.int32)[0]), f(2), f(3)
            seed, stream, step = int(x[4]) | int(x[5]) << 32, int(x[6]), int(x[7]) | int(x[8]) << 32
        use_pen = pen != 1.0 and prev is not None
        pr = prev[int(off[r]):int(off[r + 1])].numpy() if use_pen else None
        res = refs.sample_row(lg[r], pr, temp, top_k, top_p, pen, seed, step, stream)
        ids[r] = res["id"]
        if thresh is not None:
            thresh[r] = res["thresh"]


def philox_test(name, grid, block, smem, args):
    ctr, key, out, n = args
    c = ctr.numpy().view(np.uint32).astype(np.uint64)
    k = key.numpy().view(np.uint32).astype(np.uint64)
    out.copy_(torch.from_numpy(philox.philox4x32(c, k).view(np.int32)))


def table():
    t = {
        "pm_attn_fwd_v1_bf16": lambda *a: attn_fwd("pm_attn_fwd_v1_bf16", *a),
        "pm_attn_bwd_prep_bf16": lambda *a: attn_prep("prep", *a),
        "pm_attn_bwd_dq_v1_bf16": lambda *a: attn_dq("pm_attn_bwd_dq_v1_bf16", *a),
        "pm_attn_bwd_dkdv_v1_bf16": lambda *a: attn_dkdv("pm_attn_bwd_dkdv_v1_bf16", *a),
        "pm_decode_attn_v1_bf16": lambda *a: decode_v1("v1", *a),
        "pm_decode_attn_combine_bf16": lambda *a: decode_combine("combine", *a),
        "pm_logprob_chunk_fwd_f32": lambda *a: logprob_chunk_fwd("fwd", *a),
        "pm_logprob_finalize_f32": lambda *a: logprob_finalize("fin", *a),
        "pm_logprob_chunk_bwd_f32": lambda *a: logprob_chunk_bwd("bwd", *a),
        "pm_sample_f32": lambda *a: sample("sample", *a),
        "pm_philox4x32_test": lambda *a: philox_test("philox", *a),
    }
    for d in ops.HEAD_DIMS:
        for var in ("v2", "v3"):
            nm = f"pm_attn_fwd_{var}_d{d}_bf16"
            t[nm] = (lambda nm: lambda *a: attn_fwd(nm, *a))(nm)
        for nm, fn in ((f"pm_attn_bwd_dq_v2_d{d}_bf16", attn_dq), (f"pm_attn_bwd_dkdv_v2_d{d}_bf16", attn_dkdv),
                       (f"pm_decode_attn_split_d{d}_bf16", decode_split)):
            t[nm] = (lambda nm, fn: lambda *a: fn(nm, *a))(nm, fn)
    return t

"""References in float64 (torch, on whatever device the inputs live), with the semantics of the Backend SPI
(ai.pulsemind.backend.Backend) and of the cuda-kernels/ entry points. Plain code; the CPU self-test checks them
against naive loops and autograd.
"""
import math

import numpy as np
import torch

import philox


# ----------------------------------------------------------------------------------------------- attention

def _segments(cu_q, cu_k):
    cq, ck = [int(x) for x in cu_q], [int(x) for x in cu_k]
    for s in range(len(cq) - 1):
        yield cq[s], cq[s + 1] - cq[s], ck[s], ck[s + 1] - ck[s]


def _visible(lq, lk, causal, device):
    i = torch.arange(lq, device=device).unsqueeze(1)
    j = torch.arange(lk, device=device).unsqueeze(0)
    vis = torch.ones(lq, lk, dtype=torch.bool, device=device)
    return vis & (j <= i + lk - lq) if causal else vis


def attention_fwd(q, k, v, cu_q, cu_k, causal, scale):
    """q (Nq, Hq, D), k, v (Nk, Hkv, D) -> out (Nq, Hq, D), lse (Hq, Nq), float64; out 0 and lse -inf for a query
    with no visible key."""
    nq, hq, d = q.shape
    hkv = k.shape[1]
    kv = torch.arange(hq, device=q.device) // (hq // hkv)
    out = torch.zeros(nq, hq, d, dtype=torch.float64, device=q.device)
    lse = torch.full((hq, nq), -math.inf, dtype=torch.float64, device=q.device)
    for q0, lq, k0, lk in _segments(cu_q, cu_k):
        if lq == 0 or lk == 0:
            continue
        qs = q[q0:q0 + lq].double().permute(1, 0, 2)            # (Hq, Lq, D)
        ks = k[k0:k0 + lk].double()[:, kv].permute(1, 0, 2)     # (Hq, Lk, D)
        vs = v[k0:k0 + lk].double()[:, kv].permute(1, 0, 2)
        sc = (qs @ ks.transpose(1, 2)) * scale                  # (Hq, Lq, Lk)
        sc = sc.masked_fill(~_visible(lq, lk, causal, q.device), -math.inf)
        l = torch.logsumexp(sc, dim=-1)                         # (Hq, Lq)
        p = torch.exp(sc - torch.where(torch.isinf(l), 0.0, l).unsqueeze(-1))
        out[q0:q0 + lq] = (p @ vs).permute(1, 0, 2)
        lse[:, q0:q0 + lq] = l
    return out, lse


def attention_bwd(q, k, v, out, lse, dout, cu_q, cu_k, causal, scale, delta=None):
    """Gradients given the forward's out and lse (as the kernels get them): P = exp(S − lse), dV = Pᵀ dO,
    dS = P ∘ (dO Vᵀ − rowsum(dO ∘ O)), dQ = scale dS K, dK = scale dSᵀ Q; K/V grads summed over the group.
    `delta` (Hq, Nq), when given, stands for rowsum(dO ∘ O) (out is then unused)."""
    nq, hq, d = q.shape
    nk, hkv = k.shape[0], k.shape[1]
    kv = torch.arange(hq, device=q.device) // (hq // hkv)
    f64 = dict(dtype=torch.float64, device=q.device)
    dq, dk, dv = torch.zeros(nq, hq, d, **f64), torch.zeros(nk, hkv, d, **f64), torch.zeros(nk, hkv, d, **f64)
    for q0, lq, k0, lk in _segments(cu_q, cu_k):
        if lq == 0 or lk == 0:
            continue
        qs = q[q0:q0 + lq].double().permute(1, 0, 2)
        dos = dout[q0:q0 + lq].double().permute(1, 0, 2)
        ks = k[k0:k0 + lk].double()[:, kv].permute(1, 0, 2)
        vs = v[k0:k0 + lk].double()[:, kv].permute(1, 0, 2)
        l = lse[:, q0:q0 + lq].double()
        vis = _visible(lq, lk, causal, q.device)
        sc = (qs @ ks.transpose(1, 2)) * scale
        p = torch.where(vis, torch.exp(sc - torch.where(torch.isinf(l), 0.0, l).unsqueeze(-1)), 0.0)
        if delta is None:
            dl = (dos * out[q0:q0 + lq].double().permute(1, 0, 2)).sum(-1, keepdim=True)   # (Hq, Lq, 1)
        else:
            dl = delta[:, q0:q0 + lq].double().unsqueeze(-1)
        dp = dos @ vs.transpose(1, 2)
        ds = p * (dp - dl)
        dq[q0:q0 + lq] = (scale * ds @ ks).permute(1, 0, 2)
        dk_h = (scale * ds.transpose(1, 2) @ qs).permute(1, 0, 2)   # (Lk, Hq, D)
        dv_h = (p.transpose(1, 2) @ dos).permute(1, 0, 2)
        dk[k0:k0 + lk].index_add_(1, kv, dk_h)
        dv[k0:k0 + lk].index_add_(1, kv, dv_h)
    return dq, dk, dv


def attention_naive(q, k, v, cu_q, cu_k, causal, scale):
    """Loop-by-loop numpy float64 version of attention_fwd for tiny shapes (an independent check)."""
    q, k, v = (np.asarray(t.double().cpu()) for t in (q, k, v))
    nq, hq, d = q.shape
    hkv = k.shape[1]
    out = np.zeros((nq, hq, d))
    lse = np.full((hq, nq), -np.inf)
    for q0, lq, k0, lk in _segments(cu_q, cu_k):
        for h in range(hq):
            kh = h // (hq // hkv)
            for i in range(lq):
                nvis = max(0, min(lk, i + lk - lq + 1)) if causal else lk
                if nvis == 0:
                    continue
                s = np.array([q[q0 + i, h] @ k[k0 + j, kh] * scale for j in range(nvis)])
                m = s.max()
                p = np.exp(s - m)
                out[q0 + i, h] = sum(p[j] * v[k0 + j, kh] for j in range(nvis)) / p.sum()
                lse[h, q0 + i] = m + math.log(p.sum())
    return out, lse


def decode(q, k_cache, v_cache, lengths, scale, slots=None):
    """q (B, Hq, D), caches (S, Lmax, Hkv, D), lengths (B), slots (B) or None (row b reads slot b)
    -> out (B, Hq, D) float64."""
    b, hq, d = q.shape
    outs = []
    for i in range(b):
        n = min(int(lengths[i]), k_cache.shape[1])
        s = i if slots is None else int(slots[i])
        o, _ = attention_fwd(q[i:i + 1], k_cache[s, :n], v_cache[s, :n], [0, 1], [0, n], False, scale)
        outs.append(o[0])
    return torch.stack(outs)


# ----------------------------------------------------------------------------------------------- log-prob

def logprob_fwd(hidden, weight, targets, temperature):
    """hidden (N, C), weight (V, C), targets (N) -> logp (N), lse (N), float64, logits materialised."""
    z = hidden.double() @ weight.double().t() / temperature
    lse = torch.logsumexp(z, dim=-1)
    t = targets.long()
    zt = z.gather(1, t.clamp(min=0).unsqueeze(1)).squeeze(1)
    return torch.where(t < 0, 0.0, zt - lse), lse


def logprob_bwd(hidden, weight, targets, temperature, lse, dlogp):
    """dz = dlogp (onehot − softmax) / T on rows with a target; -> dhidden (N, C), dweight increment (V, C)."""
    z = hidden.double() @ weight.double().t() / temperature
    t = targets.long()
    p = torch.exp(z - lse.double().unsqueeze(1))
    onehot = torch.zeros_like(p)
    rows = torch.nonzero(t >= 0).squeeze(1)
    onehot[rows, t[rows]] = 1.0
    g = torch.where(t >= 0, dlogp.double(), 0.0).unsqueeze(1)
    dz = g * (onehot - p) / temperature
    return dz @ weight.double(), dz.t() @ hidden.double()


# ----------------------------------------------------------------------------------------------- sampling

def f32_keys(x):
    """Order-preserving uint32 image of float32 values (as key_of in sampling.cu)."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32)
    return np.where(b & np.uint32(0x80000000), ~b, b | np.uint32(0x80000000)).astype(np.uint32)


def key_values(u):
    u = np.asarray(u, dtype=np.uint32)
    return np.where(u & np.uint32(0x80000000), u & np.uint32(0x7FFFFFFF), ~u).astype(np.uint32).view(np.float32)


def penalised(logits_row, prev_ids, penalty):
    """y: NaN -> -inf, then each distinct previous id in range once: l < 0 ? l * penalty : l / penalty (f32)."""
    y = np.array(logits_row, dtype=np.float32, copy=True)
    y[np.isnan(y)] = -np.inf
    if penalty != 1.0 and prev_ids is not None and len(prev_ids):
        ids = np.unique(np.asarray(prev_ids))
        ids = ids[(ids >= 0) & (ids < y.size)]
        pen = np.float32(penalty)
        y[ids] = np.where(y[ids] < 0, y[ids] * pen, y[ids] / pen)
    return y


def radix_select(keys, weights, need):
    """The sampler's 4 x 8-bit radix selection, step by step: the largest key t with Σ_{key >= t} weight >= need
    (weights all 1 gives the need-th largest key). Mirrors select_kth / select_top_p + pick_digit."""
    keys = np.asarray(keys, dtype=np.uint64)
    weights = np.asarray(weights, dtype=np.uint64)
    prefix, mask, need = 0, 0, int(need)
    for shift in (24, 16, 8, 0):
        sel = (keys & np.uint64(mask)) == np.uint64(prefix)
        digits = ((keys[sel] >> np.uint64(shift)) & np.uint64(255)).astype(np.int64)
        hist = np.zeros(256, dtype=np.uint64)
        np.add.at(hist, digits, weights[sel])  # exact integer sums
        hist = [int(h) for h in hist]
        run, digit = 0, None
        for dgt in range(255, -1, -1):
            if run + hist[dgt] >= need:
                digit = dgt
                break
            run += hist[dgt]
        if digit is None:
            raise AssertionError("radix_select: total weight below need")
        prefix |= digit << shift
        mask |= 255 << shift
        need -= run
    return prefix


def fixed_weights(x, xmax, keep):
    """Top-p masses as 2^-40 fixed point, as the kernel (expf in float32, times 2^40, rounded)."""
    w = np.exp((x - np.float32(xmax)).astype(np.float32)).astype(np.float32) * np.float32(2.0 ** 40)
    return np.where(keep, np.rint(w.astype(np.float64)), 0).astype(np.uint64)


def sample_row(logits_row, prev_ids, temperature, top_k, top_p, penalty, seed, step, row):
    """The sampler on one row: dict(id, thresh (on x), x, keep, scores). Gumbel noise in float64."""
    y = penalised(logits_row, prev_ids, penalty)
    v = y.size
    if not temperature > 0 or top_k == 1:
        i = int(np.argmax(y))  # first maximum: lowest index on ties
        return dict(id=i, thresh=float(y[i]), greedy=True)
    x = (y / np.float32(temperature)).astype(np.float32)
    keys = f32_keys(x)
    xmax = x.max()
    floor = 0
    if 0 < top_k < v:
        floor = radix_select(keys, np.ones(v, dtype=np.uint64), top_k)
    if top_p < 1.0 and xmax != -np.inf:
        w = fixed_weights(x, xmax, keys >= floor)
        total = int(w.sum(dtype=np.uint64))
        need = max(1, min(total, math.ceil(top_p * total)))
        floor = radix_select(keys, w, need)
    keep = (keys >= floor) & (x != -np.inf)
    u = philox.uniforms(philox.row_bits(v, row, step, seed))
    scores = np.where(keep, x.astype(np.float64) - np.log(-np.log(u)), -np.inf)
    return dict(id=int(np.argmax(scores)), thresh=-math.inf if floor == 0 else float(key_values(floor)),
                x=x, keep=keep, scores=scores, greedy=False)


def top_p_threshold_ok(x, keep_k, thresh, top_p, slack=1e-6):
    """Definition check of a top-p threshold, in float64: mass(x >= t) >= p and mass(x > t) < p (masses of
    softmax(x) over the top-k-kept set), with a little slack for the fixed-point and expf roundings."""
    xs = x.astype(np.float64)
    w = np.where(keep_k, np.exp(xs - xs[keep_k].max()), 0.0)
    w /= w.sum()
    at_or_above = w[xs >= thresh].sum()
    above = w[xs > thresh].sum()
    return at_or_above >= top_p - slack and above < top_p + slack, at_or_above, above

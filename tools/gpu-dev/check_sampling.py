"""Device sampling: the Philox generator bit for bit against numpy (and Random123's known answers); greedy and
top-k = 1 against argmax of the penalised logits; top-k thresholds exactly, top-p thresholds by their
definition; every sampled id against the Gumbel-max replay of the same random bits; reproducibility; and the
empirical distribution of many draws against softmax over the kept set.

    python3 check_sampling.py BUILD_DIR RESULTS.jsonl LOG [quick]
"""
import math

import numpy as np
import torch

import harness  # first: it puts bench/peers on the path
import gpu_sampling_peer as peer  # noqa: E402  (bench/peers: the peer and the shared inputs)
import philox
import refs
from harness import seeded

V_FULL = 151936


def check_philox(h):
    rng = np.random.default_rng(3)
    ctr = rng.integers(0, 2 ** 32, size=(4096, 4), dtype=np.uint64)
    key = rng.integers(0, 2 ** 32, size=(4096, 2), dtype=np.uint64)
    for i, (c, k, _) in enumerate(philox.KAT):
        ctr[i], key[i] = c, k
    want = philox.philox4x32(ctr, key)
    dc = torch.from_numpy(ctr.astype(np.uint32).view(np.int32)).to(harness.DEV)
    dk = torch.from_numpy(key.astype(np.uint32).view(np.int32)).to(harness.DEV)
    out = torch.full((4096, 4), -7, dtype=torch.int32, device=harness.DEV)
    h.ops.philox(dc, dk, out)
    h.sync("philox")
    got = out.cpu().numpy().view(np.uint32)
    kat_ok = all(tuple(int(x) for x in got[i]) == w for i, (_, _, w) in enumerate(philox.KAT))
    h.expect("philox4x32_kat", kat_ok, "Random123 known answers")
    h.expect("philox4x32_vs_numpy", bool((got == want).all()), f"{int((got != want).sum())} words differ")


def make_rows(b, vocab, g, ties=False):
    x = torch.randn(b, vocab, generator=g) * 3.0
    if ties:
        x = torch.round(x * 2) / 2          # many exact ties
    x[0, 5] = float("nan")                  # NaN counts as -inf
    x[1, :] = -2.0                          # a flat row
    x[1, 7] = 4.0
    prev, off = [], [0]
    for r in range(b):
        ids = torch.randint(0, vocab, (int(torch.randint(0, 40, (1,), generator=g)),), generator=g).tolist()
        ids += ids[:3] + [-1, vocab + 3]    # duplicates and out-of-range ids are part of the contract
        prev += ids
        off.append(len(prev))
    # make the penalty matter for greedy: some rows' top token is a previous id
    for r in range(2, b, 3):
        top = int(torch.argmax(torch.nan_to_num(x[r], nan=-math.inf)))
        prev.insert(off[r], top)
        off = off[:r + 1] + [o + 1 for o in off[r + 1:]]
    return x, off, prev


def upload(x, off, prev):
    return (x.to(harness.DEV), torch.tensor(off, dtype=torch.int32, device=harness.DEV),
            torch.tensor(prev, dtype=torch.int32, device=harness.DEV))


def run(h, dx, doff, dprev, cfg, seed, step):
    b = dx.shape[0]
    ids = torch.full((b,), -7, dtype=torch.int32, device=harness.DEV)
    thr = torch.full((b,), math.nan, dtype=torch.float32, device=harness.DEV)
    h.ops.sample(dx, doff, dprev, cfg["T"], cfg["k"], cfg["p"], cfg["pen"], seed, step, ids, thr)
    h.sync(f"sample {cfg}")
    return ids.cpu().numpy(), thr.cpu().numpy()


def check_config(h, name, cfg, b, vocab, seed, ties=False):
    g = seeded(seed)
    x, off, prev = make_rows(b, vocab, g, ties)
    dx, doff, dprev = upload(x, off, prev)
    s_seed, step = 0x1234_5678_9ABC_DEF0 + seed, 17
    ids, thr = run(h, dx, doff, dprev, cfg, s_seed, step)
    xs = x.numpy()
    bad_thr, bad_id, exact_p, near_ties = [], [], 0, 0
    for r in range(b):
        ref = refs.sample_row(xs[r], prev[off[r]:off[r + 1]], cfg["T"], cfg["k"], cfg["p"], cfg["pen"], s_seed,
                              step, r)
        if ref["greedy"]:
            if ids[r] != ref["id"] or thr[r] != np.float32(ref["thresh"]):
                bad_id.append((r, int(ids[r]), ref["id"], float(thr[r]), ref["thresh"]))
            continue
        xr = ref["x"]
        keys = refs.f32_keys(xr)
        keep_k = np.ones(vocab, bool)
        if 0 < cfg["k"] < vocab:
            kth = refs.key_values(np.sort(keys)[-cfg["k"]])  # k-th largest by sorting: the definition
            keep_k = xr >= kth
        if cfg["p"] >= 1.0:
            want = -math.inf if not (0 < cfg["k"] < vocab) else float(kth)
            if not (thr[r] == np.float32(want)):
                bad_thr.append((r, float(thr[r]), want))
        else:
            ok, above_eq, above = refs.top_p_threshold_ok(xr, keep_k & (xr != -np.inf), float(thr[r]), cfg["p"])
            exact_p += int(np.float32(ref["thresh"]) == thr[r])
            if not ok:
                bad_thr.append((r, float(thr[r]), ref["thresh"], above_eq, above))
        # The id: in the kept set of the kernel's threshold, and the Gumbel-max winner of the same bits.
        keep = (xr >= thr[r]) & (xr != -np.inf) & keep_k
        u = philox.uniforms(philox.row_bits(vocab, r, step, s_seed))
        score = np.where(keep, xr.astype(np.float64) - np.log(-np.log(u)), -np.inf)
        best = int(np.argmax(score))
        i = int(ids[r])
        if not (0 <= i < vocab and keep[i]):
            bad_id.append((r, i, best, "outside the kept set"))
        elif i != best:
            if score[i] >= score[best] - 1e-5 * (1 + abs(score[best])):
                near_ties += 1
            else:
                bad_id.append((r, i, best, float(score[i]), float(score[best])))
    meta = dict(cfg=cfg, b=b, vocab=vocab, ties=ties)
    h.expect(f"sample_{name}_thresholds", not bad_thr, f"bad {bad_thr[:3]}", **meta)
    h.expect(f"sample_{name}_ids", not bad_id, f"bad {bad_id[:3]}; near-ties accepted {near_ties}", **meta)
    if cfg["p"] < 1.0:
        h.log(f"sample_{name}: top-p threshold equal to the numpy replay in {exact_p}/{b} rows")
    ids2, _ = run(h, dx, doff, dprev, cfg, s_seed, step)
    h.expect(f"sample_{name}_reproducible", bool((ids == ids2).all()), "same seed and step, same ids")
    if not (cfg["T"] <= 0 or cfg["k"] == 1):
        ids3, _ = run(h, dx, doff, dprev, cfg, s_seed, step + 1)
        h.log(f"sample_{name}: step+1 changes {int((ids != ids3).sum())}/{b} ids")


def check_distribution(h):
    """32768 draws from one 10-token row (row stride 0 repeats it): frequencies vs softmax over the kept set."""
    logits = torch.tensor([[2.0, 1.5, 1.2, 1.0, 0.5, 0.0, -0.5, -1.0, -3.0, 0.7]], dtype=torch.float32)
    b, cfg = 32768, dict(T=0.9, k=8, p=0.9, pen=1.0)
    dx = logits.to(harness.DEV).expand(b, 10)     # stride (0, 1)
    ids = torch.full((b,), -7, dtype=torch.int32, device=harness.DEV)
    h.ops.sample(dx, None, None, cfg["T"], cfg["k"], cfg["p"], cfg["pen"], 99, 0, ids)
    h.sync("sample distribution")
    counts = np.bincount(ids.cpu().numpy(), minlength=10)
    x = (logits[0].numpy() / np.float32(cfg["T"])).astype(np.float64)
    order = np.argsort(-x)
    kept = np.zeros(10, bool)
    kept[order[:cfg["k"]]] = True
    pk = np.where(kept, np.exp(x - x.max()), 0)
    pk /= pk.sum()
    mass, keep_p = 0.0, np.zeros(10, bool)
    for i in order:                           # keep while the mass strictly above is < p
        if kept[i] and mass < cfg["p"]:
            keep_p[i] = True
        mass += pk[i]
    p = np.where(keep_p, pk, 0)
    p /= p.sum()
    freq = counts / b
    sigma = np.sqrt(np.maximum(p * (1 - p), 1e-12) / b)
    worst = float(np.max(np.abs(freq - p) / np.maximum(sigma, 1e-9)))
    ok = bool(np.all(counts[~keep_p] == 0)) and worst < 6.0
    h.expect("sample_distribution", ok, f"freq {np.round(freq, 4).tolist()} want {np.round(p, 4).tolist()} "
             f"worst {worst:.2f} sigma")


def bench(h, b, vocab):
    cfg = peer.SAMPLE_CFG
    logits, prev = peer.sampling_inputs(b, vocab, cfg["nprev"])
    doff = torch.arange(0, b * cfg["nprev"] + 1, cfg["nprev"], dtype=torch.int32, device=harness.DEV)
    ids = torch.empty(b, dtype=torch.int32, device=harness.DEV)
    fn = lambda: h.ops.sample(logits, doff, prev.view(-1), cfg["T"], cfg["k"], cfg["p"], cfg["pen"], 1, 2, ids)
    t = h.time_ms(fn, reps=50)["median"]
    tp = h.time_ms(lambda: peer.hf_sample(logits, prev, cfg), reps=50)["median"]
    h.bench_row(f"sample_b{b}_v{vocab}", f"B={b} V={vocab} {cfg}", t, tp)


def body(h, quick):
    h.guard("philox", check_philox, h)
    configs = [
        ("greedy", dict(T=0.0, k=0, p=1.0, pen=1.3)),
        ("topk1", dict(T=0.8, k=1, p=1.0, pen=1.3)),
        ("full", dict(T=1.3, k=0, p=1.0, pen=1.0)),
        ("topk", dict(T=0.6, k=1000, p=1.0, pen=1.2)),
        ("topp", dict(T=1.0, k=0, p=0.95, pen=1.0)),
        ("topk_topp", dict(T=0.8, k=50, p=0.9, pen=1.2)),
    ]
    seed = 700
    for name, cfg in configs:
        seed += 1
        h.guard(f"sample {name}", check_config, h, name, cfg, 4 if quick else 16, 4096 if quick else V_FULL, seed)
    h.guard("sample ties", check_config, h, "ties_topk_topp", dict(T=0.7, k=20, p=0.5, pen=1.0), 8, 2000, 799,
            ties=True)
    if quick:
        return
    h.guard("sample distribution", check_distribution, h)
    for b, vocab in peer.SAMPLE_SHAPES:
        h.guard(f"bench sample b={b}", bench, h, b, vocab)


if __name__ == "__main__":
    harness.main_wrapper("sampling", ["sampling"], body)

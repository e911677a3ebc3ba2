"""Golden fixtures for the CRPO policy loss: TRL's GRPOTrainer._compute_loss on given per-token log-probs.

Run on CPU with the oracle venv (see README.md):  python tools/oracle/trl_grpo_loss.py [--out FILE]
TRL's own method is called, unbound, on a stand-in trainer that holds only the attributes it reads, with the
model's forward replaced by the given log-probs (a leaf tensor that requires grad). So the loss and its gradient
with respect to the per-token log-probs are TRL's code on these inputs, for each case:
  loss_type        grpo (sequence mean, then mean over sequences), bnpo (token mean over the batch), dapo (token
                   sum over the generation batch's token count), dr_grpo (token sum over B * max_completion_length)
  beta             0 (no KL term, no reference) or > 0 (k3 estimator against the reference log-probs)
  epsilon_low/high the PPO clip range (DAPO's asymmetric clip when they differ)
Inputs per case: logps, old_logps, ref_logps (B, T), advantages (B), mask (B, T) with ragged completions; old and
current log-probs differ so every clip branch is exercised. Outputs: loss, grad (B, T) = d loss / d logps, and the
metrics TRL logs (kl, clip_ratio/low_mean, clip_ratio/high_mean, clip_ratio/region_mean). Float64 throughout.
"""
import argparse
import json
import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:  # transformers' image backend choice; not needed for the loss when torchvision is absent
    import torchvision_shim  # noqa: F401,E402
except ImportError:
    pass

import torch  # noqa: E402
import trl  # noqa: E402
from trl.trainer.grpo_trainer import GRPOTrainer  # noqa: E402


class _Accel:
    num_processes = 1
    sync_gradients = True

    def gather(self, x):
        return x

    def gather_for_metrics(self, x):
        return x

    def reduce(self, x, reduction="sum"):
        return x


def stand_in(loss_type, beta, eps_low, eps_high, max_len, logps):
    from collections import defaultdict
    t = types.SimpleNamespace()
    t.top_entropy_quantile = 1.0
    t.off_policy_mask_threshold = None
    t.importance_sampling_level = "token"
    t.beta = beta
    t.loss_type = loss_type
    t.epsilon_low = eps_low
    t.epsilon_high = eps_high
    t.use_vllm = False
    t.vllm_importance_sampling_correction = False
    t.current_gradient_accumulation_steps = 1
    t.max_completion_length = max_len
    t.aux_loss_enabled = False
    t._entropy_bonus_enabled = False
    t.accelerator = _Accel()
    t.model = types.SimpleNamespace(training=True)
    t.args = types.SimpleNamespace(use_bias_correction_kl=False, delta=None, steps_per_generation=1)
    t._metrics = {"train": defaultdict(list), "eval": defaultdict(list)}
    # the model's forward: the given log-probs, and an entropy we do not compare
    t._get_per_token_logps_and_entropies = lambda *a, **k: (logps, torch.zeros_like(logps), None)
    return t


def case(name, gen, loss_type, beta, eps_low, eps_high, b, t_max):
    lengths = torch.randint(1, t_max + 1, (b,), generator=gen)
    lengths[0] = t_max  # one completion fills the width
    mask = (torch.arange(t_max)[None, :] < lengths[:, None]).long()
    old = -torch.rand(b, t_max, generator=gen, dtype=torch.float64) * 3 - 0.05
    # current = old + a drift of up to +-0.5 nats: ratios from ~0.6 to ~1.6, across both clip bounds
    logps = (old + (torch.rand(b, t_max, generator=gen, dtype=torch.float64) - 0.5)).clamp(max=-1e-3)
    ref = old + (torch.rand(b, t_max, generator=gen, dtype=torch.float64) - 0.5) * 0.6
    adv = torch.randn(b, generator=gen, dtype=torch.float64)
    adv[1] = 0.0  # a zero-advantage sequence (a zero-spread group kept)
    leaf = logps.clone().requires_grad_(True)
    trainer = stand_in(loss_type, beta, eps_low, eps_high, t_max, leaf)
    inputs = {
        "prompt_ids": torch.zeros(b, 1, dtype=torch.long), "prompt_mask": torch.ones(b, 1, dtype=torch.long),
        "completion_ids": torch.zeros(b, t_max, dtype=torch.long), "completion_mask": mask,
        "advantages": adv, "old_per_token_logps": old, "num_items_in_batch": mask.sum(),
    }
    if beta != 0.0:
        inputs["ref_per_token_logps"] = ref
    loss = GRPOTrainer._compute_loss(trainer, None, inputs)
    loss.backward()
    m = trainer._metrics["train"]
    out = {
        "name": name, "loss_type": loss_type, "beta": beta, "epsilon_low": eps_low, "epsilon_high": eps_high,
        "max_completion_length": t_max,
        "logps": logps.tolist(), "old_logps": old.tolist(), "ref_logps": ref.tolist(), "advantages": adv.tolist(),
        "mask": mask.tolist(), "loss": loss.item(), "grad": leaf.grad.tolist(),
        "clip_ratio/low_mean": m["clip_ratio/low_mean"][0], "clip_ratio/high_mean": m["clip_ratio/high_mean"][0],
        "clip_ratio/region_mean": m["clip_ratio/region_mean"][0],
    }
    if beta != 0.0:
        out["kl"] = m["kl"][0]
    return out


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "../../java/src/test/resources/oracle/crpo/trl_grpo_loss.json"))
    a = ap.parse_args()
    gen = torch.Generator().manual_seed(16)
    cases = []
    for lt in ["grpo", "bnpo", "dapo", "dr_grpo"]:
        cases.append(case(lt + "-kl", gen, lt, 0.04, 0.2, 0.28, 6, 7))
        cases.append(case(lt + "-nokl", gen, lt, 0.0, 0.2, 0.2, 5, 4))
    doc = {"trl_version": trl.__version__, "torch_version": torch.__version__, "cases": cases}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", a.out, len(cases), "cases, trl", trl.__version__)


if __name__ == "__main__":
    main()

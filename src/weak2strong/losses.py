"""Student losses. Each is ``loss(logits, weak_soft, step_frac) -> scalar``.

``logits``: [batch, 2] student logits. ``weak_soft``: [batch] the weak supervisor's probability of
class 1. ``step_frac``: fraction of training done, in [0, 1]. Adding a method is one class here and
one line in ``LOSSES``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


def soft_targets(p1: torch.Tensor) -> torch.Tensor:
    """[batch] probability of class 1 → [batch, 2] distribution."""
    return torch.stack([1.0 - p1, p1], dim=-1)


def cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of CE(target distribution, softmax(logits))."""
    return -(target * F.log_softmax(logits.float(), dim=-1)).sum(-1).mean()


@dataclass
class Xent:
    """Cross-entropy against the weak soft labels (the naive baseline)."""

    def __call__(self, logits, weak_soft, step_frac):
        return cross_entropy(logits, soft_targets(weak_soft))


def hardened_predictions(student_p1: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
    """f̂_t(x) = 1[f(x) > t], with t chosen so the fraction of positives equals ``prior``.

    Exactly ``round(prior · batch)`` examples (those the student rates most positive) become 1.
    """
    n = student_p1.shape[0]
    k = int(torch.round(prior * n).item())
    hard = torch.zeros_like(student_p1)
    if k > 0:
        hard[torch.topk(student_p1, k).indices] = 1.0
    return hard


def linear_ramp(step_frac: float, final: float, warmup_frac: float) -> float:
    """0 at the start, rising linearly to ``final`` at ``warmup_frac`` of training, then flat."""
    if warmup_frac <= 0:
        return final
    return final * min(1.0, max(step_frac, 0.0) / warmup_frac)


@dataclass
class LogConf:
    """Auxiliary confidence loss (Burns et al. 2023, eq. 1):

    L = (1 − α)·CE(f(x), f_w(x)) + α·CE(f(x), f̂_t(x)),

    with t set per batch so the fraction of hardened positives equals the weak labels' class prior
    in that batch (the mean weak soft label), and α ramping linearly from 0 to ``alpha_max`` over the
    first ``warmup_frac`` of training. (The public release's warm-up jumps; this one ramps.)
    """

    alpha_max: float = 0.5
    warmup_frac: float = 0.2

    def alpha(self, step_frac: float) -> float:
        return linear_ramp(step_frac, self.alpha_max, self.warmup_frac)

    def __call__(self, logits, weak_soft, step_frac):
        alpha = self.alpha(step_frac)
        student_p1 = F.softmax(logits.detach().float(), dim=-1)[:, 1]
        hard = hardened_predictions(student_p1, weak_soft.float().mean())
        # CE is linear in the target, so the two-term loss is CE against the mixed target.
        target = (1.0 - alpha) * soft_targets(weak_soft) + alpha * soft_targets(hard)
        return cross_entropy(logits, target)


@dataclass
class Product:
    """Cross-entropy against target ∝ p_student^β · p_weak^α (student term detached)."""

    alpha: float = 1.0
    beta: float = 1.0
    warmup_frac: float = 0.2  # β ramps from 0 like logconf's α: early students know nothing
    eps: float = 1e-6

    def __call__(self, logits, weak_soft, step_frac):
        beta = linear_ramp(step_frac, self.beta, self.warmup_frac)
        p_student = F.softmax(logits.detach().float(), dim=-1)
        p_weak = soft_targets(weak_soft.float()).clamp(self.eps, 1.0)
        log_target = beta * torch.log(p_student.clamp(self.eps, 1.0)) + self.alpha * torch.log(p_weak)
        return cross_entropy(logits, F.softmax(log_target, dim=-1))


LOSSES = {"xent": Xent, "logconf": LogConf, "product": Product}


def make_loss(name: str, options: dict | None = None):
    if name not in LOSSES:
        raise KeyError(f"unknown loss '{name}'; known: {', '.join(sorted(LOSSES))}")
    return LOSSES[name](**(options or {}))

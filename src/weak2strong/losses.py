"""Student losses. Each is ``loss(logits, weak_soft, step_frac) -> scalar``.

``logits``: [batch, k] student logits. ``weak_soft``: [batch] the weak supervisor's probability of
class 1 (two classes), or [batch, k] its distribution over k classes (images: CIFAR-10 is 10-way);
given [batch, 2], every loss computes exactly what it computes from the probability of class 1.
``step_frac``: fraction of training done, in [0, 1]. Adding a method is one class here and one line
in ``LOSSES``.

A loss whose target depends on the whole batch (logconf's threshold) also has
``batch_statistics(student_p1, weak_soft) -> {name: per-example tensor}`` and takes them as
``stats=``: when a batch is split into micro-batches or over processes, the training loop computes
them once over the whole batch, so the method is the same whatever the memory it runs in.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .registry import Registry


class _ImportedOnUse:
    """A module imported at its first use. The workflow's planning reads the loss classes (their names
    and options) in every ``snakemake`` call, dry runs included; importing torch there cost 2–5 s each."""

    def __init__(self, name: str):
        self._name = name
        self._module = None

    def __getattr__(self, attr: str):
        if self._module is None:  # once: every training step reads torch.* and F.* here
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


torch = _ImportedOnUse("torch")
F = _ImportedOnUse("torch.nn.functional")


def soft_targets(p1: torch.Tensor) -> torch.Tensor:
    """[batch] probability of class 1 → [batch, 2] distribution; a [batch, k] distribution as it is."""
    return p1 if p1.dim() == 2 else torch.stack([1.0 - p1, p1], dim=-1)


def binary_or_distribution(weak_soft: torch.Tensor) -> torch.Tensor:
    """[batch] p(class 1) for two classes (given as p1 or as a [batch, 2] distribution), else the
    [batch, k] distribution: the methods whose binary form is defined on p1 use it for k = 2."""
    return weak_soft[:, 1] if weak_soft.dim() == 2 and weak_soft.shape[1] == 2 else weak_soft


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
    (Ranks instead of ``topk(k)``: k stays on the device, so a GPU step does not wait for it.)
    """
    n = student_p1.shape[0]
    k = torch.round(prior * n)
    rank = torch.empty_like(student_p1, dtype=torch.long)
    rank[torch.argsort(student_p1, descending=True, stable=True)] = torch.arange(n, device=student_p1.device)
    return (rank < k).to(student_p1.dtype)


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

    @staticmethod
    def resolve(options: dict, largest_strong: bool) -> dict:
        """``alpha_max: auto`` is the paper's 0.75 for the largest strong model of the experiment and
        0.5 for the others (the plan says which ``largest_strong`` is)."""
        if options.get("alpha_max") == "auto":
            return {**options, "alpha_max": 0.75 if largest_strong else 0.5}
        return options

    def alpha(self, step_frac: float) -> float:
        return linear_ramp(step_frac, self.alpha_max, self.warmup_frac)

    def batch_statistics(self, student_p1, weak_soft):
        """The hardened predictions f̂_t(x) of a whole batch (its prior and threshold). The prior is
        the mean p(class 1) of the weak labels, given as p1 or as [batch, 2] distributions (the mean
        of a [batch, 2] array is always 0.5); k > 2 classes need no statistic."""
        weak_soft = binary_or_distribution(weak_soft)
        if weak_soft.dim() == 2:
            return {}
        return {"hard": hardened_predictions(student_p1.float(), weak_soft.float().mean())}

    def __call__(self, logits, weak_soft, step_frac, stats=None):
        alpha = self.alpha(step_frac)
        weak_soft = binary_or_distribution(weak_soft)
        if weak_soft.dim() == 2:
            # k > 2 classes: f̂(x) is the student's most likely class (no prior to match one threshold to)
            hard = F.one_hot(logits.detach().argmax(-1), weak_soft.shape[1]).to(weak_soft.dtype)
            return cross_entropy(logits, (1.0 - alpha) * weak_soft + alpha * hard)
        if stats is None:  # this call sees the whole batch
            stats = self.batch_statistics(F.softmax(logits.detach().float(), dim=-1)[:, 1], weak_soft)
        hard = stats["hard"].to(logits.device)
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


def confidence(p: torch.Tensor) -> torch.Tensor:
    """How far a prediction is from a uniform guess, in [0, 1]: |2p − 1| for a probability of class
    1, (k · max p − 1) / (k − 1) for a distribution over k classes (the same at k = 2)."""
    if p.dim() == 1:
        return (2.0 * p - 1.0).abs()
    k = p.shape[-1]
    return (k * p.max(-1).values - 1.0) / (k - 1)


def masked_cross_entropy(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """CE averaged over the masked examples; 0 (with a graph) when the mask is empty."""
    per_example = -(target * F.log_softmax(logits.float(), dim=-1)).sum(-1)
    if not mask.any():
        return (per_example * 0.0).sum()
    return per_example[mask].mean()


@dataclass
class ConfidenceThreshold:
    """Train only on weak labels whose confidence |2p − 1| is at least ``threshold``.

    ``kept_fraction`` reports how many of the student's training labels survive the filter.
    """

    threshold: float = 0.5

    def keep(self, weak_soft: torch.Tensor) -> torch.Tensor:
        return confidence(weak_soft.float()) >= self.threshold

    def kept_fraction(self, weak_soft: torch.Tensor) -> float:
        return float(self.keep(weak_soft).float().mean())

    def __call__(self, logits, weak_soft, step_frac):
        return masked_cross_entropy(logits, soft_targets(weak_soft), self.keep(weak_soft))


@dataclass
class KL:
    """KL(p_weak ‖ p_student): xent minus the weak labels' entropy (same gradient, a value that is
    0 at a perfect fit: the student's misfit in nats)."""

    eps: float = 1e-7

    def __call__(self, logits, weak_soft, step_frac):
        target = soft_targets(weak_soft.float()).clamp(self.eps, 1.0)
        return cross_entropy(logits, target) + (target * torch.log(target)).sum(-1).mean()


@dataclass
class ReverseXent:
    """Reverse cross-entropy CE(p_student, p_weak) = −Σ p_student log p_weak (the noise-robust half
    of symmetric cross-entropy); ``log_floor`` bounds log 0 for hard weak labels."""

    log_floor: float = -4.0

    def __call__(self, logits, weak_soft, step_frac):
        p_student = F.softmax(logits.float(), dim=-1)
        log_weak = torch.log(soft_targets(weak_soft.float()).clamp(min=1e-12)).clamp(min=self.log_floor)
        return -(p_student * log_weak).sum(-1).mean()


@dataclass
class ConfidenceWindow:
    """Train only where the student is still uncertain: examples whose student confidence |2p − 1|
    is below ``window``. During the first ``warmup_frac`` of training every example counts."""

    window: float = 0.8
    warmup_frac: float = 0.2

    def __call__(self, logits, weak_soft, step_frac):
        if step_frac < self.warmup_frac:
            return cross_entropy(logits, soft_targets(weak_soft))
        p_student = binary_or_distribution(F.softmax(logits.detach().float(), dim=-1))  # p1 for two classes
        return masked_cross_entropy(logits, soft_targets(weak_soft), confidence(p_student) < self.window)


@dataclass
class AdaptiveConfidence:
    """Adaptive confidence distillation (Guo et al. 2024, "Vision Superalignment"), as we read it:

    L = (1 − β(x))·CE(f(x), f_w(x)) + β(x)·CE(f(x), f̂(x)),
    β(x) = exp(−c_s) / (exp(−c_s) + exp(−c_w)),

    where c = CE(a model's soft prediction, its own hard prediction) measures how unsure it is, so
    each example leans on whichever of student and teacher is more confident about it.
    """

    def __call__(self, logits, weak_soft, step_frac):
        p_student = F.softmax(logits.detach().float(), dim=-1)
        hard_student = F.one_hot(p_student.argmax(-1), p_student.shape[-1]).float()
        p_weak = soft_targets(weak_soft.float())
        hard_weak = F.one_hot(p_weak.argmax(-1), p_weak.shape[-1]).float()
        c_student = -(hard_student * torch.log(p_student.clamp(min=1e-12))).sum(-1)
        c_weak = -(hard_weak * torch.log(p_weak.clamp(min=1e-12))).sum(-1)
        beta = torch.sigmoid(c_weak - c_student)  # = exp(−c_s) / (exp(−c_s) + exp(−c_w))
        target = (1.0 - beta).unsqueeze(-1) * p_weak + beta.unsqueeze(-1) * hard_student
        return cross_entropy(logits, target)


LOSSES: Registry[type] = Registry.named(
    "loss",
    {
        "xent": Xent,
        "logconf": LogConf,
        "product": Product,
        "conf_threshold": ConfidenceThreshold,
        "kl": KL,
        "reverse_xent": ReverseXent,
        "conf_window": ConfidenceWindow,
        "adaptive_conf": AdaptiveConfidence,
    },
).freeze()


def make_loss(name: str, options: dict | None = None):
    if name not in LOSSES:
        raise KeyError(f"unknown loss '{name}'; known: {', '.join(sorted(LOSSES))}")
    return LOSSES[name](**(options or {}))

"""The training loop: Adam, mini-batches, cosine schedule, a loss that sees ``step_frac``.

It reads top to bottom: shuffle with the seed, step through batches, log the loss. Regimes differ
only in the model and in how a batch of inputs is made (``make_batch``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    lr: float
    batch_size: int = 32
    epochs: float = 2.0
    weight_decay: float = 0.0
    schedule: str = "cosine"  # "cosine" | "constant"
    warmup_steps: int = 0
    eval_points: int = 0  # evaluate this many times during training (training dynamics); 0: never
    # Large models on GPUs (ignored where they do not apply, e.g. bf16 on a CPU):
    bf16: bool = False  # bf16 autocast for forward and loss on CUDA
    grad_accum: int = 1  # split each batch into this many micro-batches (same effective batch)
    grad_checkpointing: bool = False  # recompute activations in backward (fine-tuning only)
    # Regime-specific options (read by training/finetune.py):
    lora_r: int = 8
    lora_alpha: int = 16
    lora_target_modules: list | None = None  # None: chosen by model family
    lp_epochs: float = 1.0  # LP-FT: epochs of head-only training before full fine-tuning
    lp_lr: float = 1e-3
    # Early stopping of students: "none", "weak_labels" (agreement with the weak labels on a held-out
    # slice of train_b: honest) or "ground_truth" (accuracy on that slice: an oracle, marked as such).
    early_stopping: str = "none"
    holdout_frac: float = 0.1


@dataclass
class TrainResult:
    steps: int
    losses: list[float] = field(default_factory=list)  # mean loss per logged interval
    extra: dict = field(default_factory=dict)  # method-specific facts (e.g. the fraction of labels kept)


def autocast(device: torch.device, bf16: bool):
    """bf16 autocast on CUDA when asked; a no-op elsewhere (CPU runs stay in fp32)."""
    import contextlib

    if bf16 and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def seed_everything(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    return torch.Generator().manual_seed(seed)


def lr_factor(step: int, total: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return 1.0
    progress = (step - cfg.warmup_steps) / max(1, total - cfg.warmup_steps)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


def train(
    model: torch.nn.Module,
    make_batch: Callable[[np.ndarray], dict],
    targets: torch.Tensor,
    loss_fn: Callable,
    cfg: TrainConfig,
    seed: int,
    desc: str = "train",
    evaluate: Callable[[torch.nn.Module], dict] | None = None,
    select: Callable[[torch.nn.Module], float] | None = None,
) -> TrainResult:
    """Fit ``model`` so that ``model(**make_batch(idx))`` (logits) matches ``targets[idx]`` (p(class 1)).

    With ``cfg.eval_points`` and ``evaluate``, ``evaluate(model)`` runs at evenly spaced steps
    (and at the end); its results land in ``result.extra["dynamics"]``. With ``select``, the
    model is scored at the same steps (at least 10 of them) and the best-scoring weights are
    restored at the end (early stopping; ``result.extra["early_stopping"]`` says which step).
    """
    generator = seed_everything(seed)
    n = len(targets)
    steps_per_epoch = math.ceil(n / cfg.batch_size)
    total = max(1, int(round(cfg.epochs * steps_per_epoch)))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, total, cfg))
    model.train()
    result = TrainResult(steps=total)
    order = torch.empty(0, dtype=torch.long)
    running, count = 0.0, 0
    log_every = max(1, total // 20)
    eval_steps = set()
    if evaluate is not None and cfg.eval_points > 0:
        eval_steps = {max(1, round(total * k / cfg.eval_points)) for k in range(1, cfg.eval_points + 1)}
        result.extra["dynamics"] = []
    if select is not None:
        points = max(cfg.eval_points, 10)
        eval_steps |= {max(1, round(total * k / points)) for k in range(1, points + 1)}
    best = (-float("inf"), 0, None)  # score, step, weights
    for step in tqdm(range(total), desc=desc, unit="step", mininterval=10, disable=None):
        pos = (step * cfg.batch_size) % (steps_per_epoch * cfg.batch_size)
        if pos == 0:
            order = torch.randperm(n, generator=generator)
        idx = order[pos:pos + cfg.batch_size].numpy()
        device = next(model.parameters()).device
        optimizer.zero_grad(set_to_none=True)
        step_loss = 0.0
        # Gradient accumulation: the same effective batch in micro-batches (a batch-level statistic
        # such as logconf's threshold is then taken per micro-batch).
        for chunk in np.array_split(idx, max(1, min(cfg.grad_accum, len(idx)))):
            with autocast(device, cfg.bf16):
                logits = model(**make_batch(chunk))
                loss = loss_fn(logits, targets[chunk].to(device), step / total) * (len(chunk) / len(idx))
            loss.backward()
            step_loss += float(loss.detach())
        optimizer.step()
        scheduler.step()
        running += step_loss
        count += 1
        if (step + 1) % log_every == 0 or step + 1 == total:
            result.losses.append(running / count)
            running, count = 0.0, 0
        if step + 1 in eval_steps:
            model.eval()
            with torch.no_grad():
                if "dynamics" in result.extra:
                    result.extra["dynamics"].append({"step": step + 1, **evaluate(model)})
                if select is not None:
                    score = float(select(model))
                    if score > best[0]:
                        weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
                        best = (score, step + 1, weights)
            model.train()
    model.eval()
    if select is not None and best[2] is not None:
        model.load_state_dict(best[2])
        result.extra["early_stopping"] = {"on": cfg.early_stopping, "best_step": best[1], "score": best[0]}
        log.info("%s: early stopping on %s restored step %d of %d (score %.4f)", desc, cfg.early_stopping, best[1], total, best[0])
    log.info("%s: %d steps, loss %.4f -> %.4f", desc, total, result.losses[0], result.losses[-1])
    return result


@torch.no_grad()
def predict_p1(model: torch.nn.Module, make_batch: Callable[[np.ndarray], dict], n: int, batch_size: int = 256) -> np.ndarray:
    """Probability of class 1 for examples 0..n-1."""
    model.eval()
    out = []
    device = next(model.parameters()).device
    for start in range(0, n, batch_size):
        with autocast(device, getattr(model, "bf16", False)):
            logits = model(**make_batch(np.arange(start, min(n, start + batch_size))))
        out.append(torch.softmax(logits.float(), dim=-1)[:, 1].cpu())
    return torch.cat(out).numpy() if out else np.zeros(0)

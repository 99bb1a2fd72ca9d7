"""The training loop: Adam, mini-batches, cosine schedule, a loss that sees ``step_frac``.

It reads top to bottom: shuffle with the seed, step through batches, log the loss. Regimes differ
only in the model and in how a batch of inputs is made (``make_batch``).
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from ..config_schema import option_defaults
from ..models.precision import autocast
from . import lean_optim
from .distributed import all_sum, current, data_parallel, gather_p1

log = logging.getLogger(__name__)


# The defaults live in the config schema alone ($defs/train), which fills them into every regime's block:
# a job's params and a TrainConfig built here in code train the same way. None: not set (see each field).
_DEFAULT = option_defaults("train")


@dataclass
class TrainConfig:
    lr: float
    # The head's own rate (fine-tuning): a zero-initialised head at a backbone's rate (5e-5) on
    # small-norm pooled features never grows its logits, so the weak labels stay at 0.5. None: lr;
    # "auto": the model's own (models/registry.py HEAD_LR, by architecture; training/options.resolve_rates, which the plan applies).
    head_lr: float | str | None = None
    batch_size: int = _DEFAULT["batch_size"]
    epochs: float = _DEFAULT["epochs"]
    weight_decay: float = _DEFAULT["weight_decay"]
    schedule: str = _DEFAULT["schedule"]  # "cosine" | "constant"
    warmup_steps: int = _DEFAULT["warmup_steps"]
    warmup_frac: float = _DEFAULT["warmup_frac"]  # or a warm-up over this fraction of the steps, where warmup_steps is 0
    eval_points: int = _DEFAULT["eval_points"]  # evaluate this many times during training (training dynamics); 0: never
    # Large models on GPUs (ignored where they do not apply, e.g. bf16 on a CPU):
    # bf16 autocast for forward and loss (CUDA, or CPUs with native bf16 units); "auto": no warning elsewhere
    bf16: bool | str = _DEFAULT["bf16"]
    grad_accum: int = _DEFAULT["grad_accum"]  # split each batch into this many micro-batches (same effective batch)
    micro_batch_size: int | None = None  # or: micro-batches of at most this many examples per process (None: the batch)
    grad_checkpointing: bool = _DEFAULT["grad_checkpointing"]  # recompute activations in backward (fine-tuning only)
    # A regime's own options (LoRA's rank, LP-FT's probe phase) are its options class: training/options.py
    # Early stopping of students: "none", "weak_labels" (agreement with the weak labels on a held-out
    # slice of train_b: honest) or "ground_truth" (accuracy on that slice: an oracle, marked as such).
    early_stopping: str = _DEFAULT["early_stopping"]
    holdout_frac: float = _DEFAULT["holdout_frac"]
    # Batches of texts of similar length (less padding: faster on GPUs, other batches than the default)
    length_buckets: bool = _DEFAULT["length_buckets"]


@dataclass
class TrainResult:
    steps: int
    losses: list[float] = field(default_factory=list)  # mean loss per logged interval
    extra: dict = field(default_factory=dict)  # method-specific facts (e.g. the fraction of labels kept)


def seed_everything(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    return torch.Generator().manual_seed(seed)


def epoch_batches(n: int, batch_size: int, generator: torch.Generator, lengths: np.ndarray | None = None,
                  window_batches: int = 50) -> list[torch.Tensor]:
    """One epoch's batches: a seeded random order cut into batches of ``batch_size``.

    With ``lengths`` (tokens per example), length-bucketed: each window of ``window_batches``
    batches of that order is sorted by length before it is cut, and the batches are then shuffled,
    so a batch holds texts of similar length (little padding) and the order of batches stays random.
    The number of batches is the same either way (windows are whole batches)."""
    order = torch.randperm(n, generator=generator)
    if lengths is None:
        return list(order.split(batch_size))
    lengths = torch.as_tensor(np.asarray(lengths))
    window = batch_size * window_batches
    batches = []
    for start in range(0, n, window):
        part = order[start:start + window]
        batches += list(part[torch.argsort(lengths[part], stable=True)].split(batch_size))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def warmup_steps(total: int, cfg: TrainConfig) -> int:
    """Steps of linear warm-up: ``warmup_steps``, or where that is 0, ``warmup_frac`` of the ``total`` (rounded down)."""
    return cfg.warmup_steps if cfg.warmup_steps > 0 else int(cfg.warmup_frac * total)


def lr_factor(step: int, total: int, cfg: TrainConfig) -> float:
    """The learning rate's factor at ``step`` of ``total``: a linear warm-up, then cosine decay to 0 (or constant)."""
    warmup = warmup_steps(total, cfg)
    if step < warmup:
        return (step + 1) / warmup
    if cfg.schedule == "constant":
        return 1.0
    progress = (step - warmup) / max(1, total - warmup)
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
    progress: bool = True,
) -> TrainResult:
    """Fit ``model`` so that ``model(**make_batch(idx))`` (logits) matches ``targets[idx]`` (p(class 1)).

    With ``cfg.eval_points`` and ``evaluate``, ``evaluate(model)`` runs at evenly spaced steps
    (and at the end); its results land in ``result.extra["dynamics"]``. With ``select``, the
    model is scored at the same steps (at least 10 of them) and the best-scoring weights are
    restored at the end (early stopping; ``result.extra["early_stopping"]`` says which step).
    """
    generator = seed_everything(seed)
    procs = current()  # one process, or one of several sharing each batch (training/distributed.py)
    n = len(targets)
    steps_per_epoch = math.ceil(n / cfg.batch_size)
    total = max(1, int(round(cfg.epochs * steps_per_epoch)))
    device = next(model.parameters()).device
    # fused: one kernel for every parameter's update on a GPU (no effect on what is computed)
    optimizer = lean_optim.Adam(param_groups(model, cfg), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=device.type == "cuda")
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, total, cfg))
    # With several processes the forward pass goes through DDP (gradients averaged over processes);
    # evaluation, early stopping and the returned model use the plain module.
    net = data_parallel(model)
    net.train()
    result = TrainResult(steps=total)
    running, count = None, 0  # the loss summed on the device: read (a host sync) only when logged
    log_every = max(1, total // 20)
    eval_steps = set()
    if evaluate is not None and cfg.eval_points > 0:
        eval_steps = {max(1, round(total * k / cfg.eval_points)) for k in range(1, cfg.eval_points + 1)}
        result.extra["dynamics"] = []
    if select is not None:
        points = max(cfg.eval_points, 10)
        eval_steps |= {max(1, round(total * k / points)) for k in range(1, points + 1)}
    best = (-float("inf"), 0, None)  # score, step, weights
    # progress in the job's log (every 30 s), from the main process; probes train in a second: no bar
    lengths = getattr(make_batch, "lengths", None) if cfg.length_buckets else None
    for step in tqdm(range(total), desc=desc, unit="step", mininterval=30, disable=not (progress and procs.is_main)):
        if step % steps_per_epoch == 0:
            epoch = epoch_batches(n, cfg.batch_size, generator, lengths)  # the same in every process
        idx = epoch[step % steps_per_epoch].numpy()
        optimizer.zero_grad(set_to_none=True)
        step_loss = accumulate_gradients(net, make_batch, targets, loss_fn, idx, step / total, cfg, device)
        optimizer.step()
        scheduler.step()
        running = step_loss if running is None else running + step_loss
        count += 1
        if (step + 1) % log_every == 0 or step + 1 == total:
            result.losses.append(all_sum(float(running)) / count)
            running, count = None, 0
        if step + 1 in eval_steps:
            model.eval()
            with torch.no_grad():
                if "dynamics" in result.extra:
                    result.extra["dynamics"].append({"step": step + 1, **evaluate(model)})
                if select is not None:
                    score = float(select(model))  # the same in every process: predictions are gathered
                    if score > best[0]:
                        weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
                        best = (score, step + 1, weights)
            net.train()
    model.eval()
    if select is not None and best[2] is not None:
        model.load_state_dict(best[2])
        result.extra["early_stopping"] = {"on": cfg.early_stopping, "best_step": best[1], "score": best[0]}
        log.info("%s: early stopping on %s restored step %d of %d (score %.4f)", desc, cfg.early_stopping, best[1], total, best[0])
    log.info("%s: %d steps, loss %.4f -> %.4f", desc, total, result.losses[0], result.losses[-1])
    return result


def param_groups(model: torch.nn.Module, cfg: TrainConfig) -> list[dict]:
    """The trainable parameters for Adam: the head (``model.head``) at ``cfg.head_lr`` when it is
    set, everything else at ``cfg.lr``."""
    params = [p for p in model.parameters() if p.requires_grad]
    head = getattr(model, "head", None)
    if cfg.head_lr is None or head is None:
        return [{"params": params, "lr": cfg.lr}]
    in_head = {id(p) for p in head.parameters()}
    groups = [{"params": [p for p in params if id(p) in in_head], "lr": cfg.head_lr},
              {"params": [p for p in params if id(p) not in in_head], "lr": cfg.lr}]
    return [g for g in groups if g["params"]]


def accumulate_gradients(net, make_batch, targets: torch.Tensor, loss_fn, idx: np.ndarray, step_frac: float,
                         cfg: TrainConfig, device: torch.device) -> torch.Tensor:
    """Backpropagate the mean loss of batch ``idx``: this process's share of it, in micro-batches.

    The gradient left in the parameters is the whole batch's, whatever the number of processes or
    micro-batches; so is a batch-level statistic a loss needs (``batch_statistics``). Returns this
    process's part of the batch's mean loss (a tensor: reading it would wait for the device)."""
    procs = current()
    chunks = micro_batches(procs.shard(np.arange(len(idx))), len(idx), cfg)
    stats = batch_statistics(net, make_batch, targets, loss_fn, idx, chunks, cfg, device)
    step_loss = torch.zeros((), dtype=torch.float64, device=device)
    for chunk, weight in chunks:
        batch_idx = idx[chunk.pos]
        # Gradients are averaged over processes once, after the last micro-batch.
        with (net.no_sync() if procs.distributed and not chunk.last else contextlib.nullcontext()):
            with autocast(device, cfg.bf16):
                logits = net(**make_batch(batch_idx))
                extra = {"stats": {k: v[torch.as_tensor(chunk.pos)] for k, v in stats.items()}} if stats is not None else {}
                scaled = loss_fn(logits, targets[batch_idx].to(device), step_frac, **extra) * weight
            # Each micro-batch counts by its share of the whole batch; DDP averages over
            # processes, so each process scales by their number: the gradient is the full batch's.
            (scaled * procs.world).backward()
        step_loss += scaled.detach().double()
    return step_loss


def batch_statistics(net, make_batch, targets: torch.Tensor, loss_fn, idx: np.ndarray, chunks, cfg: TrainConfig,
                     device: torch.device) -> dict | None:
    """What a loss computes from the whole batch (logconf: which examples its hardened predictions
    call positive, so that their share matches the weak labels' prior in the batch), when no single
    forward pass sees the whole batch (micro-batches or several processes): from a no-grad pass
    over this process's share, gathered across processes. None when the loss needs nothing or one
    pass sees the whole batch (the loss then takes it from its own logits)."""
    procs = current()
    compute = getattr(loss_fn, "batch_statistics", None)
    if compute is None or (len(chunks) == 1 and not procs.distributed):
        return None
    model = getattr(net, "module", net)  # the plain module: no DDP bookkeeping for a no-grad pass
    positions, values = [], []
    with torch.no_grad(), autocast(device, cfg.bf16):
        for chunk, weight in chunks:
            if weight == 0:
                continue  # the placeholder of a process whose share of the batch is empty
            logits = model(**make_batch(idx[chunk.pos]))
            positions.append(chunk.pos)
            values.append(torch.softmax(logits.float(), dim=-1)[:, 1].cpu().numpy())
    p1 = gather_p1(np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64),
                   np.concatenate(values) if values else np.zeros(0, dtype=np.float32), len(idx))
    stats = compute(torch.as_tensor(p1), targets[idx].float())
    return {k: v.to(device) for k, v in stats.items()}


@dataclass
class MicroBatch:
    pos: np.ndarray  # positions within the batch
    last: bool  # the gradients are synchronised across processes after the last one only


def micro_batches(local: np.ndarray, batch_len: int, cfg: TrainConfig) -> list[tuple[MicroBatch, float]]:
    """This process's share of a batch (positions within it) in micro-batches, each with its weight
    (its share of the batch).

    Gradient accumulation gives the same effective batch in pieces that fit in memory; a loss that
    needs a batch-level statistic gets the whole batch's (``batch_statistics``)."""
    if len(local) == 0:
        # A batch smaller than the number of processes: this process still joins the gradient
        # averaging, with a zero-weighted example.
        return [(MicroBatch(np.zeros(1, dtype=np.int64), True), 0.0)]
    if cfg.micro_batch_size:
        parts = math.ceil(len(local) / cfg.micro_batch_size)
    else:
        parts = max(1, min(cfg.grad_accum, len(local)))
    chunks = np.array_split(local, parts)
    return [(MicroBatch(c, k == len(chunks) - 1), len(c) / batch_len) for k, c in enumerate(chunks)]


@torch.no_grad()
def predict_p1(model: torch.nn.Module, make_batch: Callable[[np.ndarray], dict], n: int, batch_size: int = 256,
               bf16: bool | str = False) -> np.ndarray:
    """Probability of class 1 for examples 0..n-1 (split across processes when there are several)."""
    model.eval()
    device = next(model.parameters()).device
    positions = current().shard(np.arange(n))
    out = []
    for start in range(0, len(positions), batch_size):
        with autocast(device, bf16):
            logits = model(**make_batch(positions[start:start + batch_size]))
        out.append(torch.softmax(logits.float(), dim=-1)[:, 1].cpu())
    values = torch.cat(out).numpy() if out else np.zeros(0, dtype=np.float32)
    return gather_p1(positions, values, n)

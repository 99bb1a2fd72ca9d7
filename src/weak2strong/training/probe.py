"""Linear probe on cached frozen features: standardise, then a linear head (2 classes, or k)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from .loop import TrainConfig, TrainResult, predict_p1, train
from .run import TrainingRun


class LinearProbe(nn.Module):
    """``pairwise``: the input is a pair difference f(c1) − f(c2) and the probe is the reward-model form:
    no centring and no bias, so logit = r(c1) − r(c2) with r(c) = w·(f(c)/std) and swapping the
    completions flips p exactly to 1 − p."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, n_classes: int = 2, pairwise: bool = False):
        super().__init__()
        self.register_buffer("mean", torch.zeros_like(mean) if pairwise else mean)
        self.register_buffer("std", std)
        self.head = nn.Linear(mean.shape[0], n_classes, bias=not pairwise)
        nn.init.zeros_(self.head.weight)
        if not pairwise:
            nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head((x - self.mean) / self.std)


def fit_probe(features: torch.Tensor, targets: np.ndarray, loss_fn, cfg: TrainConfig, seed: int, desc: str = "probe",
              evaluate=None, select=None, pairwise: bool = False) -> tuple[LinearProbe, TrainResult]:
    """Train a probe on ``features`` [n, d] towards ``targets``: p(class 1) [n], or a distribution over
    k classes [n, k] (hard or soft either way).

    ``evaluate(model)`` and ``select(model)``, if given, run during training (see ``train``)."""
    features = features.float()
    targets = torch.tensor(np.asarray(targets), dtype=torch.float32)
    n_classes = targets.shape[1] if targets.dim() == 2 else 2
    # a pair difference's scale: its root mean square (it is centred on 0 by the side randomisation)
    scale = features.pow(2).mean(0).sqrt() if pairwise else features.std(0)
    probe = LinearProbe(features.mean(0), scale.clamp(min=1e-6), n_classes, pairwise)
    result = train(probe, lambda idx: {"x": features[idx]}, targets, loss_fn, cfg, seed, desc, evaluate, select, progress=False)
    return probe, result


def probe_predict(probe: LinearProbe, features: torch.Tensor) -> np.ndarray:
    features = features.float()
    return predict_p1(probe, lambda idx: {"x": features[idx]}, len(features))


@torch.no_grad()
def probe_probabilities(probe: LinearProbe, features: torch.Tensor) -> np.ndarray:
    """The probe's distribution over its classes, [n, k]."""
    probe.eval()
    return torch.softmax(probe(features.float()), -1).numpy()


def select_rows(features: torch.Tensor, position: dict[str, int], ids: pd.Series) -> torch.Tensor:
    """Rows of ``features`` for ``ids``; ``position`` maps an id to its row."""
    missing = [i for i in ids if i not in position]
    if missing:
        raise ValueError(f"{len(missing)} examples have no cached features (e.g. {missing[:3]}); the feature file is stale: "
                         "delete it and rerun.")
    return features[np.array([position[i] for i in ids], dtype=np.int64)]


def probe_and_predict(run: TrainingRun) -> tuple[dict[str, np.ndarray], TrainResult]:
    """The ``linear_probe`` back-end: a probe on the run's cached features."""
    from ..models.features import features_are_pairwise, load_features

    features, ids = load_features(run.features_path)
    pairwise = features_are_pairwise(run.features_path)
    position = {i: k for k, i in enumerate(ids)}
    cache: dict[str, torch.Tensor] = {}

    def rows(split: str) -> torch.Tensor:
        if split not in cache:
            cache[split] = select_rows(features, position, run.rows(split)["id"]).float()
        return cache[split]

    def p1_of(split: str, model) -> np.ndarray:
        return torch.softmax(model(rows(split)), -1)[:, 1].numpy()

    evaluate, select = run.loop_callbacks(p1_of)
    probe, result = fit_probe(rows(run.train_split), run.targets, run.loss_fn, run.cfg, run.seed, desc=run.spec.name,
                              evaluate=evaluate, select=select, pairwise=pairwise)
    return {split: probe_predict(probe, rows(split)) for split in run.predict}, result


# ---- several seeds' probes as one tensor program ----------------------------------------------------

STACK_BYTES = 2**31  # above this, the seeds' standardised training rows are not held side by side: one run at a time

def can_batch(runs: list[TrainingRun]) -> bool:
    """Whether ``probes_and_predict`` can train these runs together: one features file, the same
    number of training rows and classes, the same loop options, and no early stopping (whose
    best-step bookkeeping is per run)."""
    if len(runs) < 2:
        return False
    first = runs[0]
    return all(r.features_path == first.features_path and len(r.targets) == len(first.targets)
               and np.asarray(r.targets).shape == np.asarray(first.targets).shape and r.cfg == first.cfg
               and r.select_split is None and r.loss_fn == first.loss_fn for r in runs)


class SeedProbe(nn.Module):
    """Seed ``s``'s probe of a stack: the standardisation and head of that seed, views of the stack's
    tensors (so a callback sees the weights as they are at that step)."""

    def __init__(self, stack: "ProbeStack", s: int):
        super().__init__()
        self.stack, self.s = stack, s

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = (x - self.stack.mean[self.s]) / self.stack.std[self.s]
        out = z @ self.stack.weight[self.s]
        return out + self.stack.bias[self.s] if self.stack.bias is not None else out


class ProbeStack(nn.Module):
    """``S`` linear probes, one per seed, as stacked tensors: weight [S, d, k] (the transpose of each
    ``LinearProbe.head.weight``), bias [S, k], each seed's mean and std [S, d]. Zero-initialised like
    ``LinearProbe``; Adam's update is elementwise, so each seed's slice follows the same updates as a
    probe trained alone."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, n_classes: int, pairwise: bool):
        super().__init__()
        seeds, d = mean.shape
        self.register_buffer("mean", torch.zeros_like(mean) if pairwise else mean)
        self.register_buffer("std", std)
        self.weight = nn.Parameter(torch.zeros(seeds, d, n_classes))
        self.bias = None if pairwise else nn.Parameter(torch.zeros(seeds, n_classes))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Logits [S, B, k] of standardised inputs ``z`` [S, B, d]."""
        out = torch.bmm(z, self.weight)
        return out + self.bias[:, None, :] if self.bias is not None else out


def probes_and_predict(runs: list[TrainingRun]) -> list[tuple[dict[str, np.ndarray], TrainResult]]:
    """The ``linear_probe`` back-end for several runs (a job's seeds) at once: the same data order,
    initialisation, loss and updates per run as ``probe_and_predict``, in one batched program (one
    forward, backward and optimizer step per training step for every seed). Falls back to one run at a
    time where ``can_batch`` says no. Summation order may differ from the one-run program in the last
    bits (a batched matrix product), nothing else."""
    import math

    from ..models.features import features_are_pairwise, load_features
    from . import lean_optim
    from .loop import epoch_batches, lr_factor, seed_everything

    if not can_batch(runs):
        return [probe_and_predict(run) for run in runs]
    features, ids = load_features(runs[0].features_path)
    if len(runs) * len(runs[0].targets) * features.shape[1] * 4 > STACK_BYTES:  # the seeds' training rows side by side
        return [probe_and_predict(run) for run in runs]
    pairwise = features_are_pairwise(runs[0].features_path)
    position = {i: k for k, i in enumerate(ids)}
    caches: list[dict[str, torch.Tensor]] = [{} for _ in runs]

    def rows(s: int, split: str) -> torch.Tensor:
        if split not in caches[s]:
            caches[s][split] = select_rows(features, position, runs[s].rows(split)["id"]).float()
        return caches[s][split]

    # each seed's standardisation from its own training rows, computed as fit_probe computes it
    train = [rows(s, run.train_split) for s, run in enumerate(runs)]
    mean = torch.stack([x.mean(0) for x in train])
    scale = torch.stack([x.pow(2).mean(0).sqrt() if pairwise else x.std(0) for x in train]).clamp(min=1e-6)
    targets = torch.stack([torch.tensor(np.asarray(run.targets), dtype=torch.float32) for run in runs])
    n_classes = targets.shape[2] if targets.dim() == 3 else 2
    stack = ProbeStack(mean, scale, n_classes, pairwise)

    def standardised(s: int, split: str) -> torch.Tensor:
        return (rows(s, split) - stack.mean[s]) / stack.std[s]

    z = torch.stack([standardised(s, run.train_split) for s, run in enumerate(runs)])  # [S, n, d]
    cfg = runs[0].cfg
    n, seeds = z.shape[1], len(runs)
    steps_per_epoch = math.ceil(n / cfg.batch_size)
    total = max(1, int(round(cfg.epochs * steps_per_epoch)))
    generators = [seed_everything(run.seed) for run in runs]  # each run's own order, as alone
    optimizer = lean_optim.Adam([p for p in stack.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=cfg.weight_decay)
    results = [TrainResult(steps=total) for _ in runs]
    # training dynamics: every watched split of every seed, standardised once, scored in one product per point
    watched = sorted({split for run in runs for split in run.watch})
    eval_steps = set()
    if cfg.eval_points > 0 and watched:
        eval_steps = {max(1, round(total * k / cfg.eval_points)) for k in range(1, cfg.eval_points + 1)}
        for result in results:
            result.extra["dynamics"] = []
        same_rows = all(len(run.rows(split)) == len(runs[0].rows(split)) for run in runs for split in watched)
        held = {split: torch.stack([standardised(s, split) for s in range(len(runs))]) for split in watched} if same_rows else None
    log_every = max(1, total // 20)
    running, count = torch.zeros(seeds, dtype=torch.float64), 0
    arange = torch.arange(seeds)[:, None]
    loss_of = batched_loss(runs[0].loss_fn, seeds)
    stack.train()
    for step in range(total):
        if step % steps_per_epoch == 0:
            epochs = [epoch_batches(n, cfg.batch_size, g) for g in generators]
        idx = torch.stack([epoch[step % steps_per_epoch] for epoch in epochs])  # [S, B]
        for group in optimizer.param_groups:  # the schedule LambdaLR would set, without its per-step bookkeeping
            group["lr"] = cfg.lr * lr_factor(step, total, cfg)
        optimizer.zero_grad(set_to_none=True)
        logits = stack(z[arange, idx])
        losses = loss_of([run.loss_fn for run in runs], logits, targets[arange, idx], step / total)
        losses.sum().backward()  # each seed's loss reaches only its own slice of the stack
        optimizer.step()
        running += losses.detach().double()
        count += 1
        if (step + 1) % log_every == 0 or step + 1 == total:
            for s, result in enumerate(results):
                result.losses.append(float(running[s]) / count)
            running, count = torch.zeros(seeds, dtype=torch.float64), 0
        if step + 1 in eval_steps:
            with torch.no_grad():
                p1 = {split: (torch.softmax(stack(held[split]), -1)[..., 1].numpy() if held is not None else
                              np.stack([torch.softmax(SeedProbe(stack, s)(rows(s, split)), -1)[:, 1].numpy() for s in range(seeds)]))
                      for split in watched}
            for s, run in enumerate(runs):
                point = {"step": step + 1}
                for split in run.watch:
                    point.update(run.watch[split](p1[split][s]))
                results[s].extra["dynamics"].append(point)
    stack.eval()
    out = []
    with torch.no_grad():
        for s, run in enumerate(runs):
            preds = {split: torch.softmax(SeedProbe(stack, s)(rows(s, split)), -1)[:, 1].numpy() for split in run.predict}
            out.append((preds, results[s]))
    return out


def batched_loss(loss_fn, seeds: int):
    """``(loss_fns, logits [S, B, k], targets [S, B(, k)], step_frac) -> [S]``: every seed's loss, in one
    vectorised call (torch.func.vmap) where the loss allows it; a loss that branches on tensor values
    (thresholds on confidence) cannot be vectorised, and is called once per seed from then on."""

    def each(fns, logits, targets, step_frac):
        return torch.stack([fn(logits[s], targets[s], step_frac) for s, fn in enumerate(fns)])

    vectorised = torch.func.vmap(lambda lg, tg, frac: loss_fn(lg, tg, frac), in_dims=(0, 0, None))
    state = {"vmap": True}

    def call(fns, logits, targets, step_frac):
        if state["vmap"]:
            try:
                return vectorised(logits, targets, step_frac)
            except RuntimeError:  # "data-dependent control flow": not vectorisable
                state["vmap"] = False
        return each(fns, logits, targets, step_frac)

    return call

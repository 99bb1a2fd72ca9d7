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

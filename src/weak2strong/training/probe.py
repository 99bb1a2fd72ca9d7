"""Linear probe on cached frozen features: standardise, then a 2-way linear head."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .loop import TrainConfig, TrainResult, predict_p1, train


class LinearProbe(nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.head = nn.Linear(mean.shape[0], 2)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head((x - self.mean) / self.std)


def fit_probe(features: torch.Tensor, targets: np.ndarray, loss_fn, cfg: TrainConfig, seed: int, desc: str = "probe",
              evaluate=None, select=None) -> tuple[LinearProbe, TrainResult]:
    """Train a probe on ``features`` [n, d] towards ``targets`` (p(class 1), hard or soft).

    ``evaluate(model)``, if given, is called during training (training dynamics; see ``train``)."""
    features = features.float()
    probe = LinearProbe(features.mean(0), features.std(0).clamp(min=1e-6))
    result = train(probe, lambda idx: {"x": features[idx]}, torch.tensor(np.asarray(targets), dtype=torch.float32), loss_fn, cfg, seed, desc, evaluate, select,
                   progress=False)
    return probe, result


def probe_predict(probe: LinearProbe, features: torch.Tensor) -> np.ndarray:
    features = features.float()
    return predict_p1(probe, lambda idx: {"x": features[idx]}, len(features))

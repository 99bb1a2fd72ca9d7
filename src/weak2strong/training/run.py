"""What every training back-end is given, one ``TrainingRun``, and how its watch list becomes the
training loop's callbacks.

A back-end (``probe_and_predict``, ``finetune_and_predict``) trains ``spec`` on the rows of
``train_split`` towards ``targets`` with ``loss_fn`` and returns p(class 1) for each split in
``predict``. ``watch`` maps a split to a callback that receives the model's p(class 1) on that split
at evenly spaced steps and returns metrics (training dynamics); the callback of ``select_split``
returns a ``"score"`` that early stopping maximises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..blocks import FeaturesOptions
from ..models.registry import ModelSpec
from .loop import TrainConfig

Watch = dict[str, Callable[[np.ndarray], dict]]


@dataclass
class Regime:
    name: str  # a key of regimes.REGIMES
    train: TrainConfig
    max_length: int = FeaturesOptions.max_length  # the window a regime reads unless it sets its own: the features'
    truncation: str = "right"  # the side a text longer than max_length is cut from (the dataset's; models/tokens.py)
    options: object | None = None  # the regime's own options (regimes.options_class: LoraOptions, LpFtOptions)


@dataclass
class TrainingRun:
    spec: ModelSpec
    regime: Regime
    splits: pd.DataFrame  # id, text and split of every row the run reads
    train_split: str
    targets: np.ndarray  # p(class 1) for the rows of train_split, in order
    loss_fn: Callable
    seed: int
    predict: list[str]
    watch: Watch = field(default_factory=dict)
    select_split: str | None = None  # early stopping maximises its callback's "score"
    features_path: str | None = None  # cached features (regimes on features)
    resources_dir: str = "resources"

    def rows(self, split: str) -> pd.DataFrame:
        return self.splits[self.splits["split"] == split]

    @property
    def cfg(self) -> TrainConfig:
        return self.regime.train

    def loop_callbacks(self, p1_of: Callable[[str, object], np.ndarray]):
        """``(evaluate, select)`` for ``training.loop.train`` from the watch list; ``p1_of(split,
        model)`` is the back-end's way to predict a split."""
        dynamics = {s: f for s, f in self.watch.items() if s != self.select_split}
        evaluate = None
        if dynamics:
            def evaluate(model):
                return {k: v for split, f in dynamics.items() for k, v in f(p1_of(split, model)).items()}
        select = None
        if self.select_split is not None:
            def select(model):
                return self.watch[self.select_split](p1_of(self.select_split, model))["score"]
        return evaluate, select

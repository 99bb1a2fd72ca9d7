"""The steps of the core experiment, as functions the workflow's scripts call.

Each step trains one model (linear probe on cached features, or fine-tuning: full, LoRA, LP-FT) and returns a
tidy table of predictions. The weak model learns ``train_a`` ground truth and labels ``train_b`` and
``test``; the ceiling learns ``train_b`` ground truth; a student learns ``train_b`` from the weak
soft labels with one loss.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .errors import SupervisionError
from .losses import Xent, make_loss
from .metrics import label_diagnostics
from .models.registry import ModelSpec
from .regimes import backend, batched_backend
from .training.loop import TrainConfig, TrainResult
from .training.run import Regime, TrainingRun

__all__ = ["Regime", "TrainingRun", "weak_labels", "strong_ceiling", "student", "train_and_predict", "regime_from_params",
           "Step", "weak_step", "ceiling_step", "student_step", "run_steps"]

log = logging.getLogger(__name__)


def train_and_predict(run: TrainingRun) -> tuple[dict[str, np.ndarray], TrainResult]:
    """Train and predict with the back-end of the run's regime (``regimes.REGIMES``)."""
    return backend(run.regime.name)(run)


@dataclass
class Step:
    """One seed's training run of a step (weak labels, ceiling, student), and how its predictions
    become the step's table: split so that a job's seeds can train together (``run_steps``)."""

    run: TrainingRun
    finish: Callable[[dict, TrainResult], tuple[pd.DataFrame, TrainResult]]


def run_steps(steps: list[Step]) -> list[tuple[pd.DataFrame, TrainResult]]:
    """Every step's table, in order: trained together by the regime's batched back-end where it has one
    (linear probes: a job's seeds as one tensor program), else one after the other."""
    if not steps:
        return []
    many = batched_backend(steps[0].run.regime.name) if len(steps) > 1 else None
    trained = many([s.run for s in steps]) if many is not None else [train_and_predict(s.run) for s in steps]
    return [step.finish(preds, result) for step, (preds, result) in zip(steps, trained)]


def _table(splits: pd.DataFrame, preds: dict[str, np.ndarray], **columns) -> pd.DataFrame:
    parts = []
    for split, p1 in preds.items():
        rows = splits[splits["split"] == split]
        parts.append(pd.DataFrame({
            # the early-stopping slice is still train_b, for misfit and for inspection
            "id": rows["id"].to_numpy(), "split": split.replace("train_b_holdout", "train_b"), "gt_label": rows["label"].to_numpy(),
            "soft_label": p1.astype(np.float32), "hard_label": (p1 > 0.5).astype(np.int8), **columns,
        }))
    return pd.concat(parts, ignore_index=True)


def weak_step(regime: Regime, model: ModelSpec, splits: pd.DataFrame, seed: int, dataset: str, **kw) -> Step:
    """The weak supervisor learns ``train_a`` ground truth; its soft labels on ``train_b`` and ``test``.
    ``kw``: ``features_path`` and ``resources_dir`` of the run."""
    y = splits.loc[splits["split"] == "train_a", "label"].to_numpy(dtype=np.float32)

    def finish(preds, result):
        # What the students will be given, next to the labels (and, with the floors, in the summary):
        # weak labels near 0.5 from an accurate weak model mean its head never trained.
        result.extra.update(label_diagnostics(preds["train_b"]))
        log.info("weak labels on train_b: mean confidence |2p - 1| = %.3f, %.1f%% positive",
                 result.extra["weak_confidence"], 100 * result.extra["weak_positive_rate"])
        return _table(splits, preds, weak_model=model.name, dataset=dataset, seed=seed), result

    return Step(TrainingRun(model, regime, splits, "train_a", y, Xent(), seed, ["train_b", "test"], **kw), finish)


def weak_labels(regime: Regime, model: ModelSpec, splits: pd.DataFrame, seed: int, dataset: str, **kw) -> tuple[pd.DataFrame, TrainResult]:
    """``weak_step`` trained: the weak labels' table and the training result."""
    return run_steps([weak_step(regime, model, splits, seed, dataset, **kw)])[0]


def ceiling_step(regime: Regime, model: ModelSpec, splits: pd.DataFrame, seed: int, dataset: str, **kw) -> Step:
    """The strong model learns ``train_b`` ground truth (the ceiling). With early stopping, on the rows
    the students train on: train_b less the slice they hold out to choose their stopping point."""
    predict = ["train_b", "test"]
    if regime.train.early_stopping != "none":
        splits = with_holdout(splits, regime.train.holdout_frac, seed)
        predict = ["train_b", "train_b_holdout", "test"]
    y = splits.loc[splits["split"] == "train_b", "label"].to_numpy(dtype=np.float32)

    def finish(preds, result):
        result.extra["train_rows"] = int(len(y))
        return _table(splits, preds, model=model.name, role="ceiling", weak_model="", loss="", dataset=dataset, seed=seed), result

    return Step(TrainingRun(model, regime, splits, "train_b", y, Xent(), seed, predict, **kw), finish)


def strong_ceiling(regime: Regime, model: ModelSpec, splits: pd.DataFrame, seed: int, dataset: str,
                   **kw) -> tuple[pd.DataFrame, TrainResult]:
    """``ceiling_step`` trained: the ceiling's predictions and the training result."""
    return run_steps([ceiling_step(regime, model, splits, seed, dataset, **kw)])[0]


def with_holdout(splits: pd.DataFrame, frac: float, seed: int) -> pd.DataFrame:
    """``splits`` with the early-stopping slice of train_b renamed ``train_b_holdout`` (``_table``
    names it train_b again in the files: it is still train_b, for misfit and for inspection)."""
    splits = splits.copy()
    splits.loc[holdout_slice(splits, frac, seed), "split"] = "train_b_holdout"
    return splits


def holdout_slice(splits: pd.DataFrame, frac: float, seed: int) -> np.ndarray:
    """Rows of ``train_b`` held out for early stopping: whole groups (so no passage or question is on
    both sides), drawn at random until they hold ``frac`` of train_b."""
    b = splits[splits["split"] == "train_b"]
    sizes = b.groupby("group", sort=True).size()
    order = np.random.default_rng(seed).permutation(len(sizes))
    target = max(1, int(round(frac * len(b))))
    cumulative = np.cumsum(sizes.iloc[order].to_numpy())
    chosen = sizes.index[order[:int(np.searchsorted(cumulative, target)) + 1]]
    return ((splits["split"] == "train_b") & splits["group"].isin(chosen)).to_numpy()


def check_kept_fraction(loss_fn, loss: str, targets: np.ndarray) -> float | None:
    """The fraction of weak labels a thresholding loss trains on (None for losses that keep all).

    A loss that keeps none would train nothing and leave a constant predictor that looks like a
    result: that is an error, with the numbers that explain it."""
    if not hasattr(loss_fn, "kept_fraction"):
        return None
    import torch

    kept = float(loss_fn.kept_fraction(torch.as_tensor(targets)))
    log.info("%s keeps %.1f%% of the %d weak labels", loss, 100 * kept, len(targets))
    if kept == 0:
        confidence = np.abs(2 * np.asarray(targets, dtype=float) - 1)
        raise SupervisionError(
            f"{loss} keeps none of the {len(targets)} weak labels: its options {loss_fn} need a confidence |2p - 1| the "
            f"weak labels never reach (highest {confidence.max():.3f}, mean {confidence.mean():.3f}). Weak labels this close to "
            "0.5 mean the weak model's head barely trained (fine-tuning: raise the regime's head_lr); or lower the "
            f"threshold under losses.{loss} in config/config.yaml."
        )
    return kept


def student_step(
    regime: Regime, model: ModelSpec, splits: pd.DataFrame, labels: pd.DataFrame, loss: str, loss_options: dict,
    seed: int, dataset: str, **kw,
) -> Step:
    """The strong model learns ``train_b`` from the weak soft labels with the given loss."""
    soft = labels[labels["split"] == "train_b"].set_index("id")["soft_label"]
    # Training dynamics: test accuracy against ground truth and agreement with the weak labels.
    test_ids = splits.loc[splits["split"] == "test", "id"]
    gt = splits.loc[splits["split"] == "test", "label"].to_numpy()
    weak_test = labels[labels["split"] == "test"].set_index("id")["soft_label"].loc[test_ids].to_numpy() > 0.5
    watch = {"test": lambda p1: {"test_acc": float(((p1 > 0.5) == gt).mean()), "agreement": float(((p1 > 0.5) == weak_test).mean())}}
    stopping, select_split, predict = regime.train.early_stopping, None, ["train_b", "test"]
    if stopping != "none":
        # Hold out a slice of train_b to choose the stopping point on: the weak labels there
        # (honest) or the ground truth (an oracle upper bound, marked in every table and figure).
        splits = with_holdout(splits, regime.train.holdout_frac, seed)
        held = splits[splits["split"] == "train_b_holdout"]
        reference = (held["label"].to_numpy() if stopping == "ground_truth" else soft.loc[held["id"]].to_numpy() > 0.5).astype(bool)
        watch["train_b_holdout"] = lambda p1: {"score": float(((p1 > 0.5) == reference).mean())}
        select_split, predict = "train_b_holdout", ["train_b", "train_b_holdout", "test"]
    train_ids = splits.loc[splits["split"] == "train_b", "id"]
    targets = soft.loc[train_ids].to_numpy(dtype=np.float32)
    loss_fn = make_loss(loss, loss_options)
    kept = check_kept_fraction(loss_fn, loss, targets)
    weak_name = labels["weak_model"].iloc[0]

    def finish(preds, result):
        if kept is not None:
            result.extra["kept_fraction"] = kept
        result.extra["train_rows"] = int(len(targets))
        return _table(splits, preds, model=model.name, role="student", weak_model=weak_name, loss=loss, dataset=dataset,
                      seed=seed), result

    run = TrainingRun(model, regime, splits, "train_b", targets, loss_fn, seed, predict, watch=watch, select_split=select_split, **kw)
    return Step(run, finish)


def student(
    regime: Regime, model: ModelSpec, splits: pd.DataFrame, labels: pd.DataFrame, loss: str, loss_options: dict,
    seed: int, dataset: str, **kw,
) -> tuple[pd.DataFrame, TrainResult]:
    """``student_step`` trained: the student's predictions and the training result."""
    return run_steps([student_step(regime, model, splits, labels, loss, loss_options, seed, dataset, **kw)])[0]


def regime_from_params(params: dict) -> Regime:
    """The regime as the workflow passes it: ``{"name": ..., <train options>, "max_length": ..., "truncation": ...}``;
    the regime's own options (``lora_r``, ``lp_lr``, ...) go to its options class, the rest to ``TrainConfig``."""
    from .regimes import options_class
    from .training.options import split_options

    opts = dict(params)
    name = opts.pop("name")
    max_length = int(opts.pop("max_length", Regime.max_length))  # the features' window unless the regime sets one
    truncation = opts.pop("truncation", "right")
    train, own = split_options(opts, options_class(name))
    return Regime(name, TrainConfig(**train), max_length, truncation, own)

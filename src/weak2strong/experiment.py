"""The steps of the core experiment, as functions the workflow's scripts call.

Each step trains one model (linear probe on cached features, or fine-tuning: full, LoRA, LP-FT) and returns a
tidy table of predictions. The weak model learns ``train_a`` ground truth and labels ``train_b`` and
``test``; the ceiling learns ``train_b`` ground truth; a student learns ``train_b`` from the weak
soft labels with one loss.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .errors import SupervisionError
from .io import read_parquet
from .losses import Xent, make_loss
from .metrics import label_diagnostics
from .models.features import load_features
from .models.registry import ModelSpec
from .training.loop import TrainConfig, TrainResult

log = logging.getLogger(__name__)


@dataclass
class Regime:
    name: str  # "linear_probe" | "finetune" | "lora" | "lp_ft"
    train: TrainConfig
    max_length: int = 128
    truncation: str = "right"  # the side a text longer than max_length is cut from (the dataset's; models/tokens.py)


def _select(features, pos: dict[str, int], ids: pd.Series):
    """Rows of ``features`` for ``ids``; ``pos`` maps an id to its row."""
    missing = [i for i in ids if i not in pos]
    if missing:
        raise ValueError(f"{len(missing)} examples have no cached features (e.g. {missing[:3]}); the feature file is stale.")
    return features[np.array([pos[i] for i in ids])]


def fit_predict(
    regime: Regime, model: ModelSpec, splits: pd.DataFrame, train_split: str, targets: np.ndarray, loss_fn,
    seed: int, predict_splits: list[str], features_path: str | None = None, resources_dir: str = "resources",
    evaluate_p1=None, select_p1=None, select_split: str | None = None,
) -> tuple[dict[str, np.ndarray], TrainResult]:
    """Train on ``splits[split == train_split]`` towards ``targets``; predict p(class 1) on ``predict_splits``.

    ``evaluate_p1(p1 on test)`` is called during training when the regime asks for ``eval_points``."""
    train_rows = splits[splits["split"] == train_split]
    if regime.name == "linear_probe":
        import torch

        from .training.probe import fit_probe, probe_predict

        feats, feat_ids = load_features(features_path)
        pos = {i: k for k, i in enumerate(feat_ids)}
        evaluate = None
        if evaluate_p1 is not None:
            test_feats = _select(feats, pos, splits.loc[splits["split"] == "test", "id"]).float()
            evaluate = lambda m: evaluate_p1(torch.softmax(m(test_feats), -1)[:, 1].numpy())  # noqa: E731
        select = None
        if select_p1 is not None:
            holdout_feats = _select(feats, pos, splits.loc[splits["split"] == select_split, "id"]).float()
            select = lambda m: select_p1(torch.softmax(m(holdout_feats), -1)[:, 1].numpy())  # noqa: E731
        probe, result = fit_probe(_select(feats, pos, train_rows["id"]), targets, loss_fn, regime.train, seed,
                                  desc=model.name, evaluate=evaluate, select=select)
        preds = {s: probe_predict(probe, _select(feats, pos, splits.loc[splits["split"] == s, "id"])) for s in predict_splits}
        return preds, result
    if regime.name in ("finetune", "lora", "lp_ft"):
        from .training.finetune import finetune_and_predict

        cfg = replace(regime.train, lr=model.finetune_lr if regime.train.lr is None else regime.train.lr)
        texts = {s: splits.loc[splits["split"] == s, "text"].tolist() for s in predict_splits}
        max_length = model.max_length or regime.max_length
        return finetune_and_predict(model, resources_dir, train_rows["text"].tolist(), targets, loss_fn, cfg, seed, texts, max_length,
                                    evaluate_p1=evaluate_p1, mode=regime.name, select_p1=select_p1, select_split=select_split,
                                    truncation_side=regime.truncation)
    raise ValueError(f"unknown regime {regime.name!r}")


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


def weak_labels(regime: Regime, model: ModelSpec, splits: pd.DataFrame, seed: int, dataset: str, **kw) -> tuple[pd.DataFrame, TrainResult]:
    """Train the weak supervisor on ``train_a`` ground truth; its soft labels on ``train_b`` and ``test``."""
    y = splits.loc[splits["split"] == "train_a", "label"].to_numpy(dtype=np.float32)
    preds, result = fit_predict(regime, model, splits, "train_a", y, Xent(), seed, ["train_b", "test"], **kw)
    # What the students will be given, next to the labels (and, with the floors, in the summary):
    # weak labels near 0.5 from an accurate weak model mean its head never trained.
    result.extra.update(label_diagnostics(preds["train_b"]))
    log.info("weak labels on train_b: mean confidence |2p - 1| = %.3f, %.1f%% positive",
             result.extra["weak_confidence"], 100 * result.extra["weak_positive_rate"])
    return _table(splits, preds, weak_model=model.name, dataset=dataset, seed=seed), result


def strong_ceiling(regime: Regime, model: ModelSpec, splits: pd.DataFrame, seed: int, dataset: str, **kw) -> tuple[pd.DataFrame, TrainResult]:
    """Train the strong model on ``train_b`` ground truth (the ceiling). With early stopping, on the
    rows the students train on: train_b less the slice they hold out to choose their stopping point."""
    predict = ["train_b", "test"]
    if regime.train.early_stopping != "none":
        splits = with_holdout(splits, regime.train.holdout_frac, seed)
        predict = ["train_b", "train_b_holdout", "test"]
    y = splits.loc[splits["split"] == "train_b", "label"].to_numpy(dtype=np.float32)
    preds, result = fit_predict(regime, model, splits, "train_b", y, Xent(), seed, predict, **kw)
    result.extra["train_rows"] = int(len(y))
    return _table(splits, preds, model=model.name, role="ceiling", weak_model="", loss="", dataset=dataset, seed=seed), result


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


def student(
    regime: Regime, model: ModelSpec, splits: pd.DataFrame, labels: pd.DataFrame, loss: str, loss_options: dict,
    seed: int, dataset: str, **kw,
) -> tuple[pd.DataFrame, TrainResult]:
    """Train the strong model on ``train_b`` with the weak soft labels and the given loss."""
    soft = labels[labels["split"] == "train_b"].set_index("id")["soft_label"]
    stopping = regime.train.early_stopping
    select_p1, predict_splits = None, ["train_b", "test"]
    if stopping != "none":
        # Hold out a slice of train_b to choose the stopping point on: the weak labels there
        # (honest) or the ground truth (an oracle upper bound, marked in every table and figure).
        splits = with_holdout(splits, regime.train.holdout_frac, seed)
        held = splits[splits["split"] == "train_b_holdout"]
        reference = (held["label"].to_numpy() if stopping == "ground_truth" else soft.loc[held["id"]].to_numpy() > 0.5).astype(bool)
        select_p1 = lambda p1: float(((p1 > 0.5) == reference).mean())  # noqa: E731
        predict_splits = ["train_b", "train_b_holdout", "test"]
    train_ids = splits.loc[splits["split"] == "train_b", "id"]
    targets = soft.loc[train_ids].to_numpy(dtype=np.float32)
    loss_fn = make_loss(loss, loss_options)
    kept = check_kept_fraction(loss_fn, loss, targets)
    # Training dynamics: test accuracy against ground truth and agreement with the weak labels.
    test_ids = splits.loc[splits["split"] == "test", "id"]
    gt = splits.loc[splits["split"] == "test", "label"].to_numpy()
    weak_test = labels[labels["split"] == "test"].set_index("id")["soft_label"].loc[test_ids].to_numpy() > 0.5

    def evaluate_p1(p1):
        hard = p1 > 0.5
        return {"test_acc": float((hard == gt).mean()), "agreement": float((hard == weak_test).mean())}

    preds, result = fit_predict(regime, model, splits, "train_b", targets, loss_fn, seed, predict_splits,
                                evaluate_p1=evaluate_p1, select_p1=select_p1, select_split="train_b_holdout", **kw)
    if kept is not None:
        result.extra["kept_fraction"] = kept
    weak_name = labels["weak_model"].iloc[0]
    result.extra["train_rows"] = int(len(targets))
    return _table(splits, preds, model=model.name, role="student", weak_model=weak_name, loss=loss, dataset=dataset, seed=seed), result


def regime_from_params(params: dict) -> Regime:
    """The regime as the workflow passes it: ``{"name": ..., <train options>, "max_length": ..., "truncation": ...}``."""
    opts = dict(params)
    name = opts.pop("name")
    max_length = int(opts.pop("max_length", 128))
    truncation = opts.pop("truncation", "right")
    return Regime(name, TrainConfig(**opts), max_length, truncation)


def over_seeds(step, seeds: list[int], split_files: dict[int, str], labels_file: str | None = None, **kwargs) -> tuple[pd.DataFrame, dict]:
    """Run one step (``weak_labels``, ``strong_ceiling`` or ``student``) for each seed.

    Returns the seeds' tables concatenated (a ``seed`` column tells them apart) and the training
    curves by seed. A job that runs many cheap cells (linear probes) pays Python's start-up once.
    """
    import time

    tables, curves = [], {}
    all_labels = read_parquet(labels_file) if labels_file else None
    compute = 0.0
    for seed in seeds:
        splits = read_parquet(split_files[seed])
        extra = {"labels": all_labels[all_labels["seed"] == seed]} if all_labels is not None else {}
        start = time.perf_counter()
        table, result = step(splits=splits, seed=seed, **extra, **kwargs)
        compute += time.perf_counter() - start
        tables.append(table)
        curves[seed] = {"steps": result.steps, "losses": result.losses, **result.extra}
        test = table[table["split"] == "test"]
        log.info("%s seed %d: test accuracy %.4f", step.__name__, seed, (test["hard_label"] == test["gt_label"]).mean())
    # benchmarks/overhead.py reads this line: time in model compute (training + prediction).
    log.info("model compute: %.3f s for %d seeds", compute, len(seeds))
    return pd.concat(tables, ignore_index=True), curves

"""Metrics on ``test`` against ground truth, per seed, and their aggregation over seeds.

Definitions (Burns et al. 2023):
- PGR = (student − weak) / (ceiling − weak), on test accuracy.
- agreement = fraction of test examples where student and weak predict the same class, overall
  and on the examples the weak model gets right / wrong.
Cells whose ceiling is not above the weak model are kept and flagged (``ceiling_le_weak``), never
dropped: their PGR is undefined or meaningless and is reported as NaN there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def accuracy(p1: np.ndarray, y: np.ndarray) -> float:
    return float(((np.asarray(p1) > 0.5).astype(int) == np.asarray(y)).mean())


def auroc(p1: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney U with average ranks for ties)."""
    p1, y = np.asarray(p1, dtype=float), np.asarray(y).astype(int)
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(p1).rank(method="average").to_numpy()
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pgr(student: float, weak: float, ceiling: float) -> float:
    gap = ceiling - weak
    return float((student - weak) / gap) if gap > 0 else float("nan")


def agreement(student_p1: np.ndarray, weak_p1: np.ndarray, y: np.ndarray) -> dict[str, float]:
    s, w, y = (np.asarray(student_p1) > 0.5), (np.asarray(weak_p1) > 0.5), np.asarray(y).astype(bool)
    same = s == w
    weak_right = w == y
    return {
        "agreement": float(same.mean()),
        "agreement_weak_correct": float(same[weak_right].mean()) if weak_right.any() else float("nan"),
        "agreement_weak_wrong": float(same[~weak_right].mean()) if (~weak_right).any() else float("nan"),
    }


def misfit(student_p1: np.ndarray, weak_p1: np.ndarray, eps: float = 1e-7) -> dict[str, float]:
    """The student's misfit to the weak labels it was trained on (Charikar et al. 2024), on train_b:
    mean KL(weak ‖ student) in nats (the xent loss's units, less the labels' own entropy), and the
    fraction of hard labels that differ."""
    w = np.clip(np.asarray(weak_p1, dtype=float), eps, 1 - eps)
    s = np.clip(np.asarray(student_p1, dtype=float), eps, 1 - eps)
    kl = w * np.log(w / s) + (1 - w) * np.log((1 - w) / (1 - s))
    return {"misfit_kl": float(kl.mean()), "misfit_disagreement": float(((w > 0.5) != (s > 0.5)).mean())}


def cell_metrics(test: pd.DataFrame, train_b: pd.DataFrame | None = None) -> dict[str, float]:
    """One w2s cell on one seed. ``test`` (and ``train_b``, for misfit) have columns gt_label,
    weak_p1, ceiling_p1, student_p1."""
    y = test["gt_label"].to_numpy()
    row = {}
    for who in ("weak", "ceiling", "student"):
        row[f"{who}_acc"] = accuracy(test[f"{who}_p1"], y)
        row[f"{who}_auroc"] = auroc(test[f"{who}_p1"], y)
    row["gap"] = row["ceiling_acc"] - row["weak_acc"]
    row["pgr"] = pgr(row["student_acc"], row["weak_acc"], row["ceiling_acc"])
    row["ceiling_le_weak"] = bool(row["ceiling_acc"] <= row["weak_acc"])
    row.update(agreement(test["student_p1"], test["weak_p1"], y))
    row["gain"] = row["student_acc"] - row["weak_acc"]
    if train_b is not None and len(train_b):
        row.update(misfit(train_b["student_p1"], train_b["weak_p1"]))
    row["n_test"] = len(test)
    return row


def bootstrap_ci(values: np.ndarray, stat=np.mean, n_boot: int = 10_000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of ``stat`` over the given per-seed values (NaNs removed)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    if len(values) == 1:
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    samples = rng.choice(values, size=(n_boot, len(values)), replace=True)
    stats = stat(samples, axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(stats, alpha)), float(np.quantile(stats, 1 - alpha))


def describe(values, prefix: str, n_boot: int = 10_000) -> dict[str, float]:
    """``{prefix}_mean``, ``_median``, ``_ci_low``, ``_ci_high`` of per-seed values (NaNs ignored;
    all NaN when none is defined)."""
    v = np.asarray(values, dtype=float)
    defined = v[~np.isnan(v)]
    lo, hi = bootstrap_ci(defined, n_boot=n_boot)
    return {
        f"{prefix}_mean": float(defined.mean()) if len(defined) else float("nan"),
        f"{prefix}_median": float(np.median(defined)) if len(defined) else float("nan"),
        f"{prefix}_ci_low": lo,
        f"{prefix}_ci_high": hi,
    }


def pgr_of_means_ci(per_seed: pd.DataFrame, n_boot: int = 10_000, seed: int = 0) -> tuple[float, float, float]:
    """PGR of the seed-mean accuracies and its bootstrap CI (resampling seeds).

    More stable than the mean of per-seed PGRs when a seed's gap is small.
    """
    acc = per_seed[["student_acc", "weak_acc", "ceiling_acc"]].to_numpy(dtype=float)

    def ratio(a):
        s, w, c = a[..., 0], a[..., 1], a[..., 2]
        gap = c - w
        return np.where(gap > 0, (s - w) / np.where(gap > 0, gap, 1.0), np.nan)

    point = float(ratio(acc.mean(0)))
    if np.isnan(point):
        return point, float("nan"), float("nan")  # no gap on average: nothing to recover
    if len(acc) < 2:
        return point, point, point
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(acc), size=(n_boot, len(acc)))
    boots = ratio(acc[idx].mean(1))
    boots = boots[~np.isnan(boots)]
    if len(boots) == 0:
        return point, float("nan"), float("nan")
    return point, float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))


# early_stopping is part of a cell's identity: "ground_truth" marks an oracle result everywhere.
CELL_KEYS = ["dataset", "regime", "early_stopping", "weak", "strong", "loss"]
SUMMARY_METRICS = [
    "weak_acc", "ceiling_acc", "student_acc", "gap", "weak_auroc", "ceiling_auroc", "student_auroc",
    "pgr", "agreement", "agreement_weak_correct", "agreement_weak_wrong", "gain", "misfit_kl", "misfit_disagreement",
]


def summarize(per_seed: pd.DataFrame, n_boot: int = 10_000) -> pd.DataFrame:
    """One row per cell: n_seeds, and for each metric its mean, median and 95% bootstrap CI.

    ``pgr_of_means`` (with CI) is the PGR of the seed-averaged accuracies; ``n_flagged`` counts
    seeds whose ceiling was not above the weak model (kept, flagged).
    """
    rows = []
    for key, g in per_seed.groupby(CELL_KEYS, sort=True):
        row = dict(zip(CELL_KEYS, key))
        row["n_seeds"] = int(g["seed"].nunique())
        row["n_flagged"] = int(g["ceiling_le_weak"].sum())
        for m in SUMMARY_METRICS:
            if m in g:
                row.update(describe(g[m], m, n_boot))
        row["pgr_of_means"], row["pgr_of_means_ci_low"], row["pgr_of_means_ci_high"] = pgr_of_means_ci(g, n_boot=n_boot)
        row["flag"] = f"ceiling<=weak in {row['n_flagged']}/{row['n_seeds']} seeds" if row["n_flagged"] else ""
        rows.append(row)
    return pd.DataFrame(rows)


def per_seed_table(cells: list[dict], regime: str, early_stopping: str = "none") -> pd.DataFrame:
    """Metrics of every (cell, seed). ``cells``: dicts with dataset, weak, strong, loss and the paths
    of the weak labels, the ceiling's and the student's predictions (each holding every seed)."""
    from .experiment import cell_test_table

    cache: dict[str, pd.DataFrame] = {}

    def read(path):
        if path not in cache:
            cache[path] = pd.read_parquet(path)
        return cache[path]

    rows = []
    for c in cells:
        labels, ceiling, student = read(c["labels"]), read(c["ceiling"]), pd.read_parquet(c["student"])
        for seed in sorted(student["seed"].unique()):
            tables = [df[df["seed"] == seed] for df in (labels, ceiling, student)]
            test = cell_test_table(*tables)
            if test.empty:
                raise ValueError(f"seed {seed}: no test examples joined across {c['labels']}, {c['ceiling']}, {c['student']}")
            key = {k: c[k] for k in ("dataset", "weak", "strong", "loss")}
            rows.append(key | {"seed": int(seed), "regime": regime, "early_stopping": early_stopping}
                        | cell_metrics(test, cell_test_table(*tables, split="train_b")))
    return pd.DataFrame(rows)


def methods_table(per_seed: pd.DataFrame, baseline: str = "xent", n_boot: int = 10_000) -> pd.DataFrame:
    """Per (dataset, regime, weak, strong, loss): PGR's mean, median and CI over seeds, and the paired
    difference to ``baseline`` on the same seeds (student accuracy and PGR) with its bootstrap CI,
    so "method X helps" is a statement with an interval."""
    keys = ["dataset", "regime", "early_stopping", "weak", "strong"]
    base = per_seed.loc[per_seed["loss"] == baseline, keys + ["seed", "student_acc", "pgr"]]
    rows = []
    for key, g in per_seed.groupby(keys + ["loss"], sort=True):
        row = dict(zip(keys + ["loss"], key))
        row["n_seeds"] = int(g["seed"].nunique())
        row.update(describe(g["pgr"], "pgr", n_boot))
        paired = g.merge(base, on=keys + ["seed"], suffixes=("", "_base"))
        for metric in ("student_acc", "pgr"):
            diff = describe(paired[metric] - paired[f"{metric}_base"], f"{metric}_diff", n_boot)
            row[f"{metric}_diff_vs_{baseline}"] = diff[f"{metric}_diff_mean"]
            row[f"{metric}_diff_ci_low"], row[f"{metric}_diff_ci_high"] = diff[f"{metric}_diff_ci_low"], diff[f"{metric}_diff_ci_high"]
        row["n_flagged"] = int(g["ceiling_le_weak"].sum())
        rows.append(row)
    return pd.DataFrame(rows)

"""Metrics on ``test`` against ground truth, per seed, and their aggregation over seeds.

Definitions (Burns et al. 2023):
- PGR = (student − weak) / (ceiling − weak), on test accuracy.
- agreement = fraction of test examples where student and weak predict the same class, overall
  and on the examples the weak model gets right / wrong.
Cells whose ceiling is not above the weak model are kept and flagged (``ceiling_le_weak``), never
dropped: their PGR is undefined or meaningless and is reported as NaN there. Seeds whose
supervision is degenerate (weak labels near 0.5, a loss that keeps almost none of them) are kept
and flagged too.

Intervals are over seeds (each seed redraws the split and the training order): Student-t intervals
for means, Fieller's interval for the PGR of means; every interval comes with the number of seeds
it rests on, and one seed has none.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .blocks import MetricsOptions
from .io import read_parquet


def accuracy(p1: np.ndarray, y: np.ndarray) -> float:
    return float(((np.asarray(p1) > 0.5).astype(int) == np.asarray(y)).mean())


def balanced_accuracy(p1: np.ndarray, y: np.ndarray) -> float:
    """The mean over the classes present of the fraction of each class predicted right: accuracy
    where the classes are balanced, and 0.5 for a constant guess however unbalanced they are."""
    pred, y = (np.asarray(p1) > 0.5).astype(int), np.asarray(y).astype(int)
    recalls = [float((pred[y == c] == c).mean()) for c in (0, 1) if (y == c).any()]
    return float(np.mean(recalls)) if recalls else float("nan")


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
    return class_agreement(np.asarray(student_p1) > 0.5, np.asarray(weak_p1) > 0.5, np.asarray(y).astype(bool))


def class_agreement(student: np.ndarray, weak: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Fraction of examples where student and weak model predict the same class (any number of
    classes), overall and on the examples the weak model gets right / wrong."""
    s, w, y = np.asarray(student), np.asarray(weak), np.asarray(y)
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


@functools.lru_cache(maxsize=None)
def t_quantile(level: float, dof: int) -> float:
    """The two-sided Student-t quantile: ``scipy.stats.t.ppf(0.5 + level / 2, dof)``, through the
    special function it calls (the same number, without importing scipy.stats), once per (level, dof)."""
    from scipy.special import stdtrit

    return float(stdtrit(dof, 0.5 + level / 2))


def t_interval(values, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval for the mean of independent per-seed values (NaNs removed):
    mean ± t(n−1) · s/√n. Its coverage is exact for normal values at any n ≥ 2, where a percentile
    bootstrap over n seeds undercovers (about 0.89 at n = 10, 0.74 at n = 3). One value has no
    interval: (NaN, NaN)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 2:
        return float("nan"), float("nan")
    half = t_quantile(level, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return float(v.mean() - half), float(v.mean() + half)


def describe(values, prefix: str, level: float = 0.95) -> dict[str, float]:
    """``{prefix}_mean``, ``_median``, ``_ci_low``, ``_ci_high`` (t-interval) and ``_n``, the number
    of values they are computed from (NaNs, such as the PGR of a seed without a gap, are skipped
    and so not counted)."""
    v = np.asarray(values, dtype=float)
    defined = v[~np.isnan(v)]
    lo, hi = t_interval(defined, level)
    return {
        f"{prefix}_mean": float(defined.mean()) if len(defined) else float("nan"),
        f"{prefix}_median": float(np.median(defined)) if len(defined) else float("nan"),
        f"{prefix}_ci_low": lo,
        f"{prefix}_ci_high": hi,
        f"{prefix}_n": int(len(defined)),
    }


def ratio_of_means_interval(numerator, denominator, level: float = 0.95) -> tuple[float, float, float, str]:
    """mean(numerator) / mean(denominator) over paired per-seed values, with Fieller's interval.

    Fieller's interval is the set of ratios R for which mean(numerator − R·denominator) = 0 is not
    rejected by a t-test: it accounts for the noise of the denominator. When the denominator's
    mean is not clearly above 0 (a t-test at the same level), that set is unbounded: the interval
    is undefined and the status says so, instead of printing a finite interval that does not hold.

    Returns (point, low, high, status); status is "" when the interval is defined, else
    "no gap" (mean denominator ≤ 0: no point estimate), "gap not significant", or "one seed".
    """
    x, y = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = len(x)
    if n == 0 or y.mean() <= 0:
        return float("nan"), float("nan"), float("nan"), "no gap"
    point = float(x.mean() / y.mean())
    if n < 2:
        return point, float("nan"), float("nan"), "one seed"
    t2 = t_quantile(level, n - 1) ** 2
    cov = np.cov(np.vstack([x, y]), ddof=1) / n  # covariance of the two means
    a = y.mean() ** 2 - t2 * cov[1, 1]
    b = x.mean() * y.mean() - t2 * cov[0, 1]
    c = x.mean() ** 2 - t2 * cov[0, 0]
    if a <= 0:
        return point, float("nan"), float("nan"), "gap not significant"
    root = np.sqrt(max(b * b - a * c, 0.0))
    return point, float((b - root) / a), float((b + root) / a), ""


def pgr_of_means(per_seed: pd.DataFrame, level: float = 0.95) -> tuple[float, float, float, str]:
    """PGR of the seed-mean accuracies, (mean student − mean weak) / (mean ceiling − mean weak),
    with Fieller's interval over seeds (``ratio_of_means_interval``). More stable than the mean
    of per-seed PGRs when a seed's gap is small."""
    point, low, high, status = pgr_columns(per_seed["student_acc"], per_seed["weak_acc"], per_seed["ceiling_acc"], level).values()
    return point, low, high, status


def label_diagnostics(soft_labels) -> dict[str, float]:
    """What a student is given: the weak labels' mean confidence |2p − 1| (0: every label is a coin
    flip) and the fraction labelled positive. A calibrated weak model of accuracy a has mean
    confidence 2a − 1, so labels near 0.5 from an accurate weak model mean its head never trained."""
    p = np.asarray(soft_labels, dtype=float)
    return {"weak_confidence": float(np.abs(2 * p - 1).mean()), "weak_positive_rate": float((p > 0.5).mean())}


# early_stopping is part of a cell's identity: "ground_truth" marks an oracle result everywhere.
# supervisor: "trained" (a weak model), the kind of a simulated supervisor (families/simulated), or "prompting"
# (families/prompting: the student is the decoder prompted, its "loss" the prompting mode).
# task: "classification", or "pairs" for a comparison (reward-modelling) dataset, whose accuracy is pairwise
CELL_KEYS = ["dataset", "regime", "early_stopping", "weak", "supervisor", "strong", "loss", "task"]
TRAINED = "trained"
SUMMARY_METRICS = [
    "weak_acc", "ceiling_acc", "student_acc", "gap", "weak_auroc", "ceiling_auroc", "student_auroc",
    "pgr", "agreement", "agreement_weak_correct", "agreement_weak_wrong", "gain", "misfit_kl", "misfit_disagreement",
    "weak_confidence", "weak_confidence_if_calibrated", "weak_positive_rate", "kept_fraction",
]


def cell_flags(g: pd.DataFrame, diagnostics: MetricsOptions) -> dict:
    """Counts of the seeds a reader must know about, and one sentence that names them."""
    n = int(g["seed"].nunique())
    out = {
        "n_seeds": n,
        "n_flagged": int(g["ceiling_le_weak"].sum()),
        "n_degenerate": int(g["degenerate"].sum()) if "degenerate" in g else 0,
    }
    notes = []
    if out["n_flagged"]:
        notes.append(f"ceiling<=weak in {out['n_flagged']}/{n} seeds")
    if "weak_degenerate" in g and g["weak_degenerate"].any():
        low = g.loc[g["weak_degenerate"].astype(bool), "weak_confidence"]  # the flagged seeds' own confidence
        notes.append(f"weak labels near 0.5 (mean confidence {low.mean():.3f} < "
                     f"{diagnostics.min_weak_confidence}) in {int(g['weak_degenerate'].sum())}/{n} seeds")
    if "few_labels_kept" in g and g["few_labels_kept"].any():
        notes.append(f"loss kept {100 * g['kept_fraction'].mean():.1f}% of the weak labels (< "
                     f"{100 * diagnostics.min_kept_fraction:.0f}%) in {int(g['few_labels_kept'].sum())}/{n} seeds")
    out["flag"] = "; ".join(notes)
    return out


def pgr_columns(student, weak, ceiling, level: float = 0.95, prefix: str = "") -> dict:
    """PGR of the seed-mean accuracies with Fieller's interval (``ratio_of_means_interval``), as a
    table's four columns: ``pgr_of_means``, its ``_ci_low``/``_ci_high`` and ``_ci_status`` (why an
    interval is missing)."""
    s, w, c = (np.asarray(v, dtype=float) for v in (student, weak, ceiling))
    point, lo, hi, status = ratio_of_means_interval(s - w, c - w, level)
    name = f"{prefix}pgr_of_means"
    return {name: point, f"{name}_ci_low": lo, f"{name}_ci_high": hi, f"{name}_ci_status": status}


def summarize_cells(per_seed: pd.DataFrame, keys: list[str], metrics, level: float = 0.95, head=None, tail=None,
                    pgr: bool = True, sort: bool = False) -> pd.DataFrame:
    """The one table builder of every study: one row per group of ``keys``, holding, in this order, the
    keys, ``head(g)`` (counts, sizes), each metric's mean, median, t-interval over seeds and ``_n``
    (``describe``), the PGR of the seed-mean accuracies with Fieller's interval (``pgr_columns`` over
    ``student_acc``, ``weak_acc``, ``ceiling_acc``; ``pgr=False``: none), then ``tail(g, row)`` (flags,
    further intervals). ``metrics``: column names, or a function of the group giving them."""
    rows = []
    for key, g in per_seed.groupby(keys, sort=sort):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,))) | (head(g) if head else {})
        for m in metrics(g) if callable(metrics) else metrics:
            row |= describe(g[m], m, level)
        if pgr:
            row |= pgr_columns(g["student_acc"], g["weak_acc"], g["ceiling_acc"], level)
        rows.append(row | (tail(g, row) if tail else {}))
    return pd.DataFrame(rows)


def summarize(per_seed: pd.DataFrame, level: float = 0.95, diagnostics: MetricsOptions = MetricsOptions()) -> pd.DataFrame:
    """One row per cell: seed counts and flags, and for each metric its mean, median, t-interval
    over seeds and ``_n`` (the seeds it is computed from: per-seed PGR skips seeds without a gap).

    ``pgr_of_means`` is the PGR of the seed-averaged accuracies, with Fieller's interval;
    ``pgr_of_means_ci_status`` says why an interval is missing. ``n_flagged`` counts seeds whose
    ceiling was not above the weak model, ``n_degenerate`` seeds whose supervision was degenerate
    (kept, flagged, and named in ``flag``).
    """
    if "task" not in per_seed:  # per-seed tables written before comparison datasets existed
        per_seed = per_seed.assign(task="classification")
    return summarize_cells(per_seed, CELL_KEYS, lambda g: [m for m in SUMMARY_METRICS if m in g], level,
                           head=lambda g: cell_flags(g, diagnostics), sort=True)


@dataclass(frozen=True)
class Part:
    """One (seed, split) of a predictions or labels file: ids, soft labels, ground truth (or None)."""

    ids: np.ndarray
    soft: np.ndarray
    gt: np.ndarray | None


EMPTY_PART = Part(np.array([], dtype=object), np.array([], dtype=float), np.array([], dtype=int))


def by_seed_and_split(predictions: pd.DataFrame) -> dict[tuple[int, str], Part]:
    """One file of predictions or labels (every seed) cut once into its (seed, split) parts. Filtering
    the whole table for every (cell, seed, split) instead took most of the metrics job's 13 s."""
    ids = predictions["id"].to_numpy(dtype=object)
    soft = predictions["soft_label"].to_numpy()
    gt = predictions["gt_label"].to_numpy() if "gt_label" in predictions else None
    groups = predictions.groupby(["seed", "split"], sort=False).indices
    return {(int(seed), split): Part(ids[rows], soft[rows], None if gt is None else gt[rows]) for (seed, split), rows in groups.items()}


def cell_test_table(labels: dict, ceiling: dict, student: dict, seed: int, split: str = "test") -> pd.DataFrame:
    """Join one seed's weak, ceiling and student predictions on ``split`` by id (the metrics' columns):
    the examples all three have, in the weak labels' order. Each argument is a file cut by
    ``by_seed_and_split``."""
    weak, others = labels.get((seed, split), EMPTY_PART), [t.get((seed, split), EMPTY_PART) for t in (ceiling, student)]
    keep = np.ones(len(weak.ids), dtype=bool)
    positions = []
    for other in others:
        if len(other.ids) == len(weak.ids) and np.array_equal(other.ids, weak.ids):
            pos = np.arange(len(weak.ids))
        else:
            pos = pd.Index(other.ids).get_indexer(weak.ids)
        keep &= pos >= 0
        positions.append(pos)
    table = {"gt_label": weak.gt[keep], "weak_p1": weak.soft[keep]}
    for name, other, pos in zip(("ceiling_p1", "student_p1"), others, positions):
        table[name] = other.soft[pos[keep]]
    return pd.DataFrame(table, index=pd.Index(weak.ids[keep], name="id"))


def read_curves(paths: list[str]) -> dict[int, dict]:
    """Training curves by seed from one JSON per cell (keyed by seed) or one per seed."""
    import json

    out: dict[int, dict] = {}
    for path in paths:
        with open(path) as fh:
            out.update({int(seed): curve for seed, curve in json.load(fh).items()})
    return out


def per_seed_table(cells: list[dict], regime: str, early_stopping: str = "none",
                   diagnostics: MetricsOptions = MetricsOptions()) -> pd.DataFrame:
    """Metrics of every (cell, seed). ``cells``: dicts with dataset, weak, strong, loss, supervisor
    (``TRAINED`` when absent; else a simulated supervisor's kind), the paths
    of the weak labels, the ceiling's and the student's predictions (each holding every seed) and
    ``curves``, the student's training-curve files (for the fraction of labels its loss kept)."""
    cache: dict[str, dict] = {}

    def read(path):  # weak labels and ceilings are shared by many cells: read and cut once
        if path not in cache:
            cache[path] = by_seed_and_split(read_parquet(path))
        return cache[path]

    rows = []
    for c in cells:
        labels, ceiling = read(c["labels"]), read(c["ceiling"])
        student_file = read_parquet(c["student"])
        student = by_seed_and_split(student_file)
        curves = read_curves(c.get("curves", []))
        for seed in sorted(int(s) for s in student_file["seed"].unique()):
            tables = (labels, ceiling, student)
            test = cell_test_table(*tables, seed)
            if test.empty:
                raise ValueError(f"seed {seed}: no test examples joined across {c['labels']}, {c['ceiling']}, {c['student']}")
            key = {k: c[k] for k in ("dataset", "weak", "strong", "loss")} | {"supervisor": c.get("supervisor", TRAINED),
                                                                             "task": c.get("task", "classification")}
            row = key | {"seed": int(seed), "regime": regime, "early_stopping": early_stopping}
            row |= cell_metrics(test, cell_test_table(*tables, seed, split="train_b"))
            row |= label_diagnostics(labels.get((seed, "train_b"), EMPTY_PART).soft)
            # what the mean confidence would be were the weak model calibrated (see label_diagnostics)
            row["weak_confidence_if_calibrated"] = 2 * row["weak_acc"] - 1
            row["kept_fraction"] = float(curves.get(int(seed), {}).get("kept_fraction", np.nan))
            row |= diagnostics.flags(row)
            row["degenerate"] = row["weak_degenerate"] or row["few_labels_kept"]
            rows.append(row)
    return pd.DataFrame(rows)


def methods_table(per_seed: pd.DataFrame, baseline: str = "xent", level: float = 0.95) -> pd.DataFrame:
    """Per (dataset, regime, weak, strong, loss): PGR's mean, median and t-interval over seeds, and
    the paired difference to ``baseline`` on the same seeds (student accuracy and PGR) with its
    t-interval and the number of pairs, so "method X helps" is a statement with an interval."""
    keys = ["dataset", "regime", "early_stopping", "weak", "supervisor", "strong"]
    base = per_seed.loc[per_seed["loss"] == baseline, keys + ["seed", "student_acc", "pgr"]]
    rows = []
    for key, g in per_seed.groupby(keys + ["loss"], sort=True):
        row = dict(zip(keys + ["loss"], key))
        row["n_seeds"] = int(g["seed"].nunique())
        row.update(describe(g["pgr"], "pgr", level))
        paired = g.merge(base, on=keys + ["seed"], suffixes=("", "_base"))
        for metric in ("student_acc", "pgr"):
            diff = describe(paired[metric] - paired[f"{metric}_base"], f"{metric}_diff", level)
            row[f"{metric}_diff_vs_{baseline}"] = diff[f"{metric}_diff_mean"]
            for part in ("ci_low", "ci_high", "n"):
                row[f"{metric}_diff_{part}"] = diff[f"{metric}_diff_{part}"]
        row["n_flagged"] = int(g["ceiling_le_weak"].sum())
        row["n_degenerate"] = int(g["degenerate"].sum()) if "degenerate" in g else 0
        rows.append(row)
    return pd.DataFrame(rows)


def subset_rows(weak: pd.DataFrame, ceiling: pd.DataFrame, student: pd.DataFrame, kind: pd.Series,
                subsets: tuple[str, ...]) -> list[dict]:
    """One cell scored on parts of its test set: ``kind`` names each test id's part, ``subsets`` the
    parts to score ("all": the whole set). Per part: its size and share (means over seeds), the weak
    labels', the ceiling's and the student's accuracy (means over seeds) and the PGR of means with
    Fieller's interval. A part with no example, or with every example, has no row of its own."""
    out = []
    for subset in subsets:
        per_seed = []
        for seed, w in weak[weak["split"] == "test"].groupby("seed"):
            c = ceiling[(ceiling["seed"] == seed) & (ceiling["split"] == "test")]
            s = student[(student["seed"] == seed) & (student["split"] == "test")]
            ids = w["id"] if subset == "all" else w["id"][w["id"].map(kind).to_numpy() == subset]
            row = {"seed": seed, "n": len(ids), "share": len(ids) / len(w)}
            for name, frame in (("weak", w), ("ceiling", c), ("student", s)):
                f = frame.set_index("id").loc[ids]
                row[f"{name}_acc"] = accuracy(f["soft_label"].to_numpy(), f["gt_label"].to_numpy()) if len(f) else float("nan")
            per_seed.append(row)
        table = pd.DataFrame(per_seed)
        if subset != "all" and (table["n"].eq(0).all() or table["share"].eq(1).all()):
            continue
        out.append({"subset": subset, "n_seeds": len(table), "n_test_mean": table["n"].mean(), "test_share": table["share"].mean(),
                    **{f"{k}_acc_mean": table[f"{k}_acc"].mean() for k in ("weak", "ceiling", "student")},
                    **pgr_columns(table["student_acc"], table["weak_acc"], table["ceiling_acc"])})
    return out


def run_subset_rows(results, regime: str, dataset: str, kind: pd.Series, subsets: tuple[str, ...]) -> list[dict]:
    """``subset_rows`` for every student of ``dataset`` in a finished run's ``results`` folder (its
    weak labels and ceiling read beside it), each row with its weak, strong and loss."""
    from pathlib import Path

    root = Path(results)
    rows = []
    for path in sorted((root / "predictions" / regime / dataset / "student").glob("*/*/*.parquet")):
        weak, strong, loss = path.parent.parent.name, path.parent.name, path.stem
        labels = pd.read_parquet(root / "labels" / regime / dataset / f"{weak}.parquet")
        ceiling = pd.read_parquet(root / "predictions" / regime / dataset / "ceiling" / f"{strong}.parquet")
        for row in subset_rows(labels, ceiling, pd.read_parquet(path), kind, subsets):
            rows.append({"weak": weak, "strong": strong, "loss": loss, **row})
    return rows

"""Balanced, group-aware splits into ``train_a`` / ``train_b`` / ``test``.

``train_a``: ground truth for the weak supervisor. ``train_b``: the student's inputs, labelled by
the weak supervisor (its ground truth is used only for the strong ceiling and for metrics).
``test``: held out, scored against ground truth.

Schema of a split file (``splits/seed{seed}.parquet``): the examples columns plus
``split`` (string: train_a, train_b, test).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..errors import DatasetError
from .pairs import PAIR_COLUMNS

log = logging.getLogger(__name__)

SPLITS = ("train_a", "train_b", "test")
MIN_PER_CLASS = 8  # below this a split cannot support a metric worth printing


def balance(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Undersample the majority class to exactly 50/50 (dropping single examples keeps groups intact)."""
    counts = df["label"].value_counts()
    if len(counts) < 2:
        raise DatasetError("cannot balance a set with a single class")
    n = int(counts.min())
    parts = [g.sample(n=n, random_state=seed) for _, g in df.groupby("label", sort=True)]
    return pd.concat(parts).sort_index()


def sample_pool(examples: pd.DataFrame, max_examples: int | None, seed: int) -> pd.DataFrame:
    """Balance the examples, then keep whole groups until ``max_examples``.

    The pool is what features are extracted for; every seed's split is drawn from it.
    """
    pool = balance(examples.sort_values("id").reset_index(drop=True), seed)
    if max_examples is not None and len(pool) > max_examples:
        groups = pool["group"].drop_duplicates().sample(frac=1.0, random_state=seed)
        sizes = pool.groupby("group", sort=False).size().loc[groups.values]
        keep = set(sizes.index[sizes.cumsum().values <= max_examples])
        pool = pool[pool["group"].isin(keep)]
    return pool.reset_index(drop=True)


def deal_groups(groups: pd.Series, bins: int, seed: int) -> dict:
    """Whole groups dealt into ``bins`` bins of near-equal size: the groups (``groups``: each row's
    group) in a seed-determined order, each to the emptiest bin. Group -> bin index (0-based). The
    easy-to-hard study's cross-fitting folds and a bootstrapping chain's chunks of train_b are both
    made this way."""
    sizes = groups.value_counts().sort_index()
    order = np.random.default_rng(seed).permutation(len(sizes))
    fill = np.zeros(bins)
    bin_of = {}
    for i in order:
        k = int(fill.argmin())
        bin_of[sizes.index[i]] = k
        fill[k] += sizes.iloc[i]
    return bin_of


def pool_shortfall(pool: pd.DataFrame, sizes: dict[str, int]) -> str:
    """Why a pool cannot fill the splits, in numbers, and what to change."""
    per_class = pool["label"].value_counts().reindex([0, 1], fill_value=0)
    groups = pool.groupby("group").size()
    asked = sum(sizes.values())
    cause = (f"The pool has {len(pool)} examples ({per_class[0]} of class 0, {per_class[1]} of class 1) in {len(groups)} groups "
             f"(the largest holds {groups.max()}); the splits ask for {asked}.")
    if len(pool) < asked:
        fix = "The dataset has fewer usable examples than that: lower split_sizes, or raise max_examples if it caps the pool"
    else:
        fix = "Whole groups must stay on one side, and large groups leave too little room: lower split_sizes"
    return f"{cause} {fix} (config/config.yaml, datasets.<name>)."


def split_examples(pool: pd.DataFrame, sizes: dict[str, int], seed: int, dataset: str = "?") -> pd.DataFrame:
    """Assign whole groups to splits, then undersample each split to 50/50.

    Groups are visited in a seed-determined order; each goes to the split that still needs the
    most examples of the group's labels. Each split ends balanced with at most ``sizes[split]``
    examples. A split smaller than asked for is logged; one with fewer than ``MIN_PER_CLASS``
    examples of a class is an error.
    """
    missing = [s for s in SPLITS if s not in sizes]
    if missing:
        raise DatasetError(f"dataset '{dataset}': split sizes missing for {missing}")
    pool = pool.sort_values("id").reset_index(drop=True)  # the result must not depend on row order
    rng = np.random.default_rng(seed)
    need = {s: np.array([sizes[s] / 2, sizes[s] / 2]) for s in SPLITS}
    groups = pool.groupby("group", sort=True)["label"].agg(list)
    order = rng.permutation(len(groups))
    assignment: dict[str, str] = {}
    for i in order:
        group, labels = groups.index[i], groups.iloc[i]
        counts = np.bincount(labels, minlength=2)
        gains = {s: float(np.minimum(counts, np.maximum(need[s], 0)).sum()) for s in SPLITS}
        best = max(SPLITS, key=lambda s: gains[s])
        if gains[best] <= 0:
            continue  # every split is full for this group's labels
        assignment[group] = best
        need[best] = need[best] - counts
        if all((need[s] <= 0).all() for s in SPLITS):
            break
    out = pool[pool["group"].isin(assignment)].copy()
    out["split"] = out["group"].map(assignment)
    parts = []
    for s in SPLITS:
        part = out[out["split"] == s]
        counts = part["label"].value_counts()
        per_class = int(counts.min()) if len(counts) == 2 else 0
        if per_class < MIN_PER_CLASS:
            raise DatasetError(
                f"dataset '{dataset}': split '{s}' has only {per_class} examples of one class (needs at least "
                f"{MIN_PER_CLASS}). {pool_shortfall(pool, sizes)}"
            )
        per_class = min(per_class, sizes[s] // 2)
        if 2 * per_class < sizes[s]:
            log.warning("%s: split %s has %d examples, %d asked for (not enough data)", dataset, s, 2 * per_class, sizes[s])
        parts.append(
            pd.concat(
                [g.sample(n=per_class, random_state=seed) for _, g in part.groupby("label", sort=True)]
            )
        )
    result = pd.concat(parts)
    result["split"] = pd.Categorical(result["split"], categories=list(SPLITS)).astype(str)
    # A stable order: by split, then by id (ids are content hashes, so this is a fixed shuffle).
    result = result.sort_values(["split", "id"], key=lambda c: c.map({s: i for i, s in enumerate(SPLITS)}) if c.name == "split" else c)
    return result.reset_index(drop=True)[["id", "split", "text", "label", "group", *(c for c in PAIR_COLUMNS if c in result.columns)]]

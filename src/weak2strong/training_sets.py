"""Training sets chosen by a difficulty column, what the easy-to-hard study (families/easy_to_hard) and
chess's share: the rows of train_b that train the student (easy up to a cutoff, all of them, or the hard
ones), every set of a seed subsampled to one size, and the table of a study's cells over seeds."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the plans read this module's names: pandas loads where a function needs it, not at planning
    import pandas as pd

log = logging.getLogger(__name__)

ALL, HARD = "all", "hard"  # the two training sets that are not easy cutoffs
SMALLEST = "smallest"  # train_size: every set of a seed subsampled to that seed's smallest set
SELECTED_BY_DIFFICULTY = "ground-truth difficulty"
SELECTED_LIKE_TEST = "ground-truth difficulty, the hard test set's rule"  # the hard training set


def training_rows(split: pd.DataFrame, train_set: str, cutoff_rank: int | None, hard_floor: int,
                  column: str = "difficulty_rank") -> pd.Series:
    """Which rows of a seed's split train the student for ``train_set``: train_b rows whose
    ``column`` (difficulty rank; a chess puzzle's rating) is ≤ the cutoff, all of train_b, or those
    ≥ the hard floor."""
    in_b = split["split"] == "train_b"
    if train_set == ALL:
        return in_b
    if train_set == HARD:
        return in_b & (split[column] >= hard_floor)
    return in_b & (split[column] <= cutoff_rank)


def common_size(d: pd.DataFrame, train_sets: dict[str, int | None], hard_floor: int, train_size) -> int | None:
    """The one size every training set of this seed is subsampled to: ``train_size`` itself, the
    smallest set's size (``"smallest"``; ``train_sets``: every set's cutoff rank, None for all and
    hard), or None (every set as it comes)."""
    if train_size is None:
        return None
    if train_size == SMALLEST:
        return int(min(training_rows(d, name, rank, hard_floor).sum() for name, rank in train_sets.items()))
    return int(train_size)


def subsample(rows: pd.Series, size: int | None, seed: int, train_set: str, stream: int = 17, unit: str = "examples") -> pd.Series:
    """``size`` of the selected ``rows`` (a boolean mask), drawn per seed (all of them, with a warning,
    when fewer); ``stream`` keeps each study's draws its own (chess draws with 11)."""
    chosen = np.flatnonzero(rows.to_numpy())
    if size is None or len(chosen) == size:
        return rows
    if len(chosen) < size:
        log.warning("training set %s has %d %s, fewer than train_size %d: it keeps them all (its n_train says so)",
                    train_set, len(chosen), unit, size)
        return rows
    import pandas as pd

    keep = np.random.default_rng([seed, size, stream]).choice(chosen, size=size, replace=False)
    return pd.Series(np.isin(np.arange(len(rows)), keep), index=rows.index)


def selected_by(train_set: str, selection: str) -> str:
    """What chose a training set's rows (see ``summarize``)."""
    if str(train_set) == ALL:
        return "none"
    return SELECTED_LIKE_TEST if str(train_set) == HARD and selection == SELECTED_BY_DIFFICULTY else selection


def summarize(table: pd.DataFrame, level: float = 0.95, selection: str = SELECTED_BY_DIFFICULTY) -> pd.DataFrame:
    """Per (dataset, train set, labels): each accuracy's mean, median and t-interval over seeds (with n):
    the student's on the hard test examples (plain and balanced) and on the whole test set, the weak
    model's own, and any other ``*_acc`` column (chess's zero-shot model); the training set's mean size,
    the hard test set's size and share of class 1, and ``selected_by``: what chose the training rows
    (``selection`` for every set but ``all``; NLP: ground-truth difficulty, so weak-label cells there
    learn from rows that ground truth picked, which no weak supervisor could, and the NLP ``hard`` set
    is picked by the hard test set's own rule; chess: puzzle rating)."""
    from .metrics import summarize_cells

    def head(g):
        row = {"n_seeds": int(g["seed"].nunique()), "n_train_mean": float(g["n_train"].mean()),
               "n_test_hard_mean": float(g["n_test_hard"].mean()), "selected_by": selected_by(g["train_set"].iloc[0], selection)}
        if "hard_test_pos_frac" in g:
            row["hard_test_pos_frac_mean"] = float(g["hard_test_pos_frac"].mean())
        return row

    return summarize_cells(table, ["dataset", "train_set", "labels"], [c for c in table.columns if c.endswith("_acc")], level,
                           head=head, pgr=False)

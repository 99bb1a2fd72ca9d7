"""Easy-to-hard generalization (Burns et al. 2023, §5.3 and appendix): train on easy examples only,
test on hard ones, with ground-truth labels and with the weak model's labels.

NLP difficulty follows the paper: an example's difficulty is the smallest model of the ladder whose
ground-truth-trained predictions are right on it in every seed. Each model's predictions come from
cross-fitted linear probes on its cached features (k folds of whole groups: every example is
predicted by a probe that never saw it), once per difficulty seed. An example no model gets right in
every seed is ``unsolved`` (rank = number of models).

A cutoff ``c`` (a model of the ladder) makes the easy set: examples whose difficulty rank is at most
c's. The hard set is fixed: examples that no model smaller than the student solves. For each seed's
split, the student (a probe on the strong model's features) trains on train_b ∩ easy(c), or on all
of train_b, or on train_b ∩ hard, with ground truth or with the weak model's soft labels, and is
scored on test ∩ hard (accuracy and balanced accuracy: a hard set is rarely balanced) and on the
whole test set.

Every training set of a seed is subsampled to one size (``train_size``; by default the seed's
smallest set), so the sets differ in which examples they hold and not in how many: easy sets below a
low cutoff are much smaller than all of train_b, and size alone would rank them.

Three things a reader must keep in mind, and the tables say: the weak model is a rung of the ladder,
so its accuracy on the hard examples is low by the definition of hard (its whole-test accuracy is the
comparison); every training set but ``all`` is chosen by ground-truth difficulty, which a weak
supervisor could not do; and the ``hard`` training set is chosen by the very rule that chooses the
hard test set (rows the smaller models get wrong), so a student trained on it scores well on the hard
test rows by that selection (it would with labels that carry nothing else), and its whole-test
accuracy is the number that says what it learnt.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ...data.splits import deal_groups
from ...metrics import accuracy, balanced_accuracy
from ...training_sets import common_size, subsample, training_rows

log = logging.getLogger(__name__)

UNSOLVED = "unsolved"


def group_folds(groups: pd.Series, folds: int, seed: int) -> np.ndarray:
    """A fold number per row: whole groups, dealt at random into ``folds`` folds of similar size."""
    return groups.map(deal_groups(groups, folds, seed)).to_numpy()


def cross_fitted_correct(features, labels: np.ndarray, groups: pd.Series, folds: int, seed: int, fit) -> np.ndarray:
    """Whether each row's out-of-fold prediction is right: ``fit(train_x, train_y, seed) -> predict``
    is trained on the other folds (a probe that never saw the row or its group)."""
    fold = group_folds(groups, folds, seed)
    right = np.zeros(len(labels), dtype=bool)
    for k in range(folds):
        held = fold == k
        predict = fit(features[~held], labels[~held], seed)
        right[held] = (predict(features[held]) > 0.5) == labels[held].astype(bool)
    return right


def difficulty_table(pool: pd.DataFrame, correct: dict[str, np.ndarray], ladder: list[str]) -> pd.DataFrame:
    """Per example: the smallest model of ``ladder`` (ordered small to large) right on it in every
    difficulty seed. ``correct[model]``: [seeds, rows] booleans, rows in ``pool`` order."""
    out = pool[["id", "label", "group"]].copy()
    rank = np.full(len(pool), len(ladder))
    for k, model in reversed(list(enumerate(ladder))):
        solved = correct[model].all(axis=0)
        out[f"solved_by_{model}"] = solved
        rank = np.where(solved, k, rank)
    out["difficulty_rank"] = rank.astype(np.int16)
    out["difficulty"] = [ladder[r] if r < len(ladder) else UNSOLVED for r in rank]
    return out


def compute_difficulty(pool: pd.DataFrame, features: dict[str, tuple], ladder: list[str], seeds: list[int], folds: int,
                       train_cfgs: dict, pairwise: bool = False) -> pd.DataFrame:
    """``difficulty_table`` from cross-fitted linear probes; ``features[model]``: (tensor, ids);
    ``train_cfgs[model]``: the model's probe training options; ``pairwise``: the features are pair
    differences, read by the reward model's probe (no bias: swapping a pair flips p exactly)."""
    from ...losses import Xent
    from ...training.probe import fit_probe, probe_predict, select_rows

    labels = pool["label"].to_numpy()

    correct = {}
    for model in ladder:
        def fit(x, y, seed, cfg=train_cfgs[model]):
            probe, _ = fit_probe(x, y.astype(np.float32), Xent(), cfg, seed, desc="difficulty probe", pairwise=pairwise)
            return lambda rows: probe_predict(probe, rows)

        feats, ids = features[model]
        x = select_rows(feats, {i: k for k, i in enumerate(ids)}, pool["id"]).float()
        correct[model] = np.stack([cross_fitted_correct(x, labels, pool["group"], folds, seed, fit) for seed in seeds])
        log.info("%s: right in every seed on %.1f%% of %d examples (out-of-fold accuracy %.3f)", model,
                 100 * correct[model].all(0).mean(), len(pool), correct[model].mean())
        del x
    table = difficulty_table(pool, correct, ladder)
    counts = table["difficulty"].value_counts()
    log.info("difficulty: %s", ", ".join(f"{name} {counts.get(name, 0)}" for name in [*ladder, UNSOLVED]))
    return table








def easy_to_hard_split(split: pd.DataFrame, difficulty: pd.DataFrame, train_set: str, cutoff_rank: int | None,
                       hard_floor: int, train_sets: dict[str, int | None] | None = None, train_size=None,
                       seed: int = 0) -> pd.DataFrame:
    """One seed's easy-to-hard split: ``train`` rows (train_b in the training set, subsampled to the
    seed's ``common_size`` over ``train_sets``), ``test_hard`` rows (test ∩ hard), with each
    example's difficulty."""
    d = split.merge(difficulty[["id", "difficulty", "difficulty_rank"]], on="id", how="left", validate="one_to_one")
    if d["difficulty_rank"].isna().any():
        raise ValueError("examples without a difficulty: the difficulty file is stale (delete it and rerun)")
    size = common_size(d, train_sets or {train_set: cutoff_rank}, hard_floor, train_size)
    train = subsample(training_rows(d, train_set, cutoff_rank, hard_floor), size, seed, train_set)
    test_hard = (d["split"] == "test") & (d["difficulty_rank"] >= hard_floor)
    out = d[train | test_hard].copy()
    out["split"] = np.where(train[train | test_hard], "train", "test_hard")
    return out[["id", "split", "text", "label", "group", "difficulty", "difficulty_rank"]].reset_index(drop=True)


def run_cell(e2h_split: pd.DataFrame, weak_labels: pd.DataFrame, strong_features: tuple, train_cfg, seed: int,
             pairwise: bool = False, full_test: pd.DataFrame | None = None) -> list[dict]:
    """The student on one seed's easy-to-hard split, with ground truth and with the weak labels: its
    accuracy and balanced accuracy on the hard test examples (and on the whole test set when
    ``full_test`` gives its rows), the hard test set's size and share of class 1, and the weak model's
    own accuracy there and on the whole test set. The weak model is a rung of the ladder that defines
    difficulty, so its hard-test accuracy is low by construction; its whole-test accuracy is the number
    to compare a student with."""
    from ...losses import Xent
    from ...training.probe import fit_probe, probe_predict, select_rows

    feats, ids = strong_features
    position = {i: k for k, i in enumerate(ids)}
    train = e2h_split[e2h_split["split"] == "train"]
    test = e2h_split[e2h_split["split"] == "test_hard"]
    weak = weak_labels.set_index("id")["soft_label"]
    weak_test = weak_labels[weak_labels["split"] == "test"]
    x_train, x_test = select_rows(feats, position, train["id"]).float(), select_rows(feats, position, test["id"]).float()
    x_full = select_rows(feats, position, full_test["id"]).float() if full_test is not None else None
    y_test = test["label"].to_numpy()
    common = {"n_train": int(len(train)), "n_test_hard": int(len(test)),
              "hard_test_pos_frac": float(y_test.mean()) if len(y_test) else float("nan"),
              "weak_hard_test_acc": accuracy(weak.loc[test["id"]].to_numpy(), y_test),
              "weak_hard_test_bal_acc": balanced_accuracy(weak.loc[test["id"]].to_numpy(), y_test),
              "weak_full_test_acc": accuracy(weak_test["soft_label"].to_numpy(), weak_test["gt_label"].to_numpy())}
    rows = []
    targets = {"ground_truth": train["label"].to_numpy(dtype=np.float32), "weak": weak.loc[train["id"]].to_numpy(dtype=np.float32)}
    for source, y in targets.items():
        scores = dict.fromkeys(["hard_test_acc", "hard_test_bal_acc", "full_test_acc"], float("nan"))
        if len(train) >= 2 and len(np.unique(train["label"])) == 2:  # an easy set with one class trains nothing: reported
            probe, _ = fit_probe(x_train, y, Xent(), train_cfg, seed, desc=f"easy-to-hard {source}", pairwise=pairwise)
            p_test = probe_predict(probe, x_test)
            scores = {"hard_test_acc": accuracy(p_test, y_test), "hard_test_bal_acc": balanced_accuracy(p_test, y_test),
                      "full_test_acc": accuracy(probe_predict(probe, x_full), full_test["label"].to_numpy())
                      if x_full is not None else float("nan")}
        rows.append({"labels": source, **common, **scores})
    return rows




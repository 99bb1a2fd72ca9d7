"""Easy-to-hard: difficulty as the paper defines it, splits at the cutoffs, one cutoff reruns alone."""

import copy

import numpy as np
import pandas as pd
import pytest

from weak2strong.families.easy_to_hard.steps import (
    UNSOLVED,
    cross_fitted_correct,
    difficulty_table,
    easy_to_hard_split,
    group_folds,
)
from weak2strong.training_sets import training_rows


def test_difficulty_is_the_smallest_model_right_in_every_seed():
    pool = pd.DataFrame({"id": list("abcde"), "label": [1, 0, 1, 0, 1], "group": list("abcde")})
    correct = {  # [seeds, examples]
        "small": np.array([[1, 1, 0, 0, 0], [1, 0, 0, 0, 0]], dtype=bool),   # a only (b: one seed wrong)
        "medium": np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 1]], dtype=bool),  # a, b
        "large": np.array([[0, 1, 1, 0, 1], [1, 1, 1, 0, 1]], dtype=bool),   # b, c, e
    }
    table = difficulty_table(pool, correct, ["small", "medium", "large"])
    assert table["difficulty"].tolist() == ["small", "medium", "large", UNSOLVED, "large"]
    assert table["difficulty_rank"].tolist() == [0, 1, 2, 3, 2]
    # a larger model failing an example a smaller one solves does not make it harder (a: "large" fails seed 0)
    assert not table.loc[0, "solved_by_large"]


def test_folds_keep_groups_whole_and_are_balanced():
    groups = pd.Series([f"g{i // 3}" for i in range(300)])
    fold = group_folds(groups, 5, seed=0)
    assert (pd.DataFrame({"g": groups, "f": fold}).groupby("g")["f"].nunique() == 1).all()
    assert np.bincount(fold).min() >= 57 and np.bincount(fold).max() <= 63
    assert not np.array_equal(fold, group_folds(groups, 5, seed=1))


def test_cross_fitting_never_predicts_an_example_with_a_probe_that_saw_it():
    x = np.arange(40).reshape(40, 1)
    labels = np.arange(40) % 2
    groups = pd.Series([f"g{i // 2}" for i in range(40)])
    seen = []

    def fit(train_x, train_y, seed):
        trained = set(train_x[:, 0].tolist())
        seen.append(trained)
        return lambda rows: np.array([0.9 if r[0] in trained else 0.1 for r in rows])  # "right" only where it cheated

    right = cross_fitted_correct(x, labels, groups, 4, seed=0, fit=fit)
    assert len(seen) == 4 and all(len(s) == 30 for s in seen)
    # predictions of 0.1 everywhere: right exactly on the class-0 examples, so no row was predicted by a probe trained on it
    assert right.tolist() == (labels == 0).tolist()


def _split():
    rows = [{"id": f"x{i}", "split": s, "text": "t", "label": i % 2, "group": f"x{i}"}
            for i, s in enumerate(["train_b"] * 8 + ["test"] * 8 + ["train_a"] * 4)]
    split = pd.DataFrame(rows)
    difficulty = pd.DataFrame({"id": split["id"], "difficulty_rank": [0, 1, 2, 3] * 5})
    difficulty["difficulty"] = difficulty["difficulty_rank"].map({0: "s", 1: "m", 2: "l", 3: UNSOLVED})
    return split, difficulty


@pytest.mark.parametrize("train_set,cutoff,expected",
                         [("s", 0, [0]), ("m", 1, [0, 1]), ("all", None, [0, 1, 2, 3]), ("hard", None, [2, 3])])
def test_training_sets_take_train_b_rows_up_to_the_cutoff_and_the_hard_ones_from_the_floor(train_set, cutoff, expected):
    split, difficulty = _split()
    out = easy_to_hard_split(split, difficulty, train_set, cutoff, hard_floor=2)
    train = out[out["split"] == "train"]
    assert sorted(train["difficulty_rank"].unique()) == expected  # ≤ cutoff, ≥ floor: boundaries included
    assert set(train["id"]) <= set(split.loc[split["split"] == "train_b", "id"])
    test = out[out["split"] == "test_hard"]
    assert len(test) == 4 and (test["difficulty_rank"] >= 2).all()  # the same hard test set for every training set
    assert training_rows(split.merge(difficulty, on="id"), train_set, cutoff, 2).sum() == len(train)


def test_every_training_set_of_a_seed_has_the_smallest_sets_size_drawn_from_its_own_rows():
    """Size alone would rank the sets (all of train_b against an easy set a quarter its size): every
    set of a seed is subsampled to the seed's smallest, from its own rows, drawn per seed."""
    split, difficulty = _split()
    sets = {"s": 0, "m": 1, "all": None, "hard": None}  # train_b holds ranks 0..3 twice: 2, 4, 8 and 4 rows
    drawn = {}
    for seed in (0, 1, 2, 3):
        for name, rank in sets.items():
            out = easy_to_hard_split(split, difficulty, name, rank, hard_floor=2, train_sets=sets, train_size="smallest", seed=seed)
            train = out[out["split"] == "train"]
            assert len(train) == 2, (name, seed)
            allowed = {"s": {0}, "m": {0, 1}, "all": {0, 1, 2, 3}, "hard": {2, 3}}[name]
            assert set(train["difficulty_rank"]) <= allowed
            assert (out["split"] == "test_hard").sum() == 4  # the test rows are never subsampled
            drawn.setdefault(name, set()).add(tuple(sorted(train["id"])))
    assert len(drawn["all"]) > 1  # another seed, another draw
    fixed = easy_to_hard_split(split, difficulty, "all", None, hard_floor=2, train_sets=sets, train_size=3, seed=0)
    assert (fixed["split"] == "train").sum() == 3
    kept = easy_to_hard_split(split, difficulty, "s", 0, hard_floor=2, train_sets=sets, train_size=3, seed=0)
    assert (kept["split"] == "train").sum() == 2  # fewer rows than the size: all kept (and said)
    whole = easy_to_hard_split(split, difficulty, "all", None, hard_floor=2, train_sets=sets, train_size=None, seed=0)
    assert (whole["split"] == "train").sum() == 8


def test_the_hard_training_set_is_marked_as_chosen_by_the_test_sets_rule():
    from weak2strong.training_sets import SELECTED_BY_DIFFICULTY, SELECTED_LIKE_TEST, summarize

    rows = [{"dataset": "d", "train_set": t, "labels": "ground_truth", "seed": s, "n_train": 10, "n_test_hard": 5,
             "hard_test_acc": 0.5, "full_test_acc": 0.6} for t in ("m1", "all", "hard") for s in range(2)]
    marks = summarize(pd.DataFrame(rows)).set_index("train_set")["selected_by"]
    assert marks.to_dict() == {"m1": SELECTED_BY_DIFFICULTY, "all": "none", "hard": SELECTED_LIKE_TEST}
    chess = summarize(pd.DataFrame(rows), selection="puzzle rating").set_index("train_set")["selected_by"]
    assert chess["hard"] == "puzzle rating"  # a rating is not the failure rule that picks the NLP hard test rows


def test_a_stale_difficulty_file_is_an_error():
    split, difficulty = _split()
    with pytest.raises(ValueError, match="stale"):
        easy_to_hard_split(split, difficulty.iloc[:-3], "all", None, hard_floor=2)


@pytest.mark.slow
def test_changing_one_cutoff_reruns_only_that_cutoffs_jobs_at_a_fixed_size_and_every_set_at_the_smallest(tmp_path):
    """A finished workflow (outputs recorded with --touch) with cutoffs [m1, m2] and a fixed
    train_size: swapping m2 for m3 plans the m3 training set's job, the table and the figure, and
    nothing else. With ``train_size: smallest`` the swap may change every set's size: every set reruns."""
    import yaml

    from workflow_helpers import planned_jobs, snakemake

    data = tmp_path / "d.csv"
    data.write_text("text,label\n" + "".join(f"t{i},{i % 2}\n" for i in range(40)))
    config = {
        "resources_dir": str(tmp_path / "res"), "seeds": 2,
        "datasets": {"d": {"source": "local", "path": str(data), "text_field": "text", "label_field": "label",
                           "split_sizes": {"train_a": 16, "train_b": 16, "test": 16}}},
        "models": {f"m{k}": {"backbone": "minilm-l6", "layer": k} for k in (1, 2, 3, 6)},
        "experiment": {"regime": "linear_probe", "weak": ["m1", "m2", "m3"], "strong": ["m6"], "losses": ["xent"]},
        "losses": {"xent": {}},
        "regimes": {"linear_probe": {"lr": 0.001, "batch_size": 32, "epochs": 1}},
        "easy_to_hard": {"cutoffs": ["m1", "m2"], "train_size": 4},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    summary = snakemake(tmp_path, "--summary").stdout
    for line in summary.splitlines()[1:]:
        path = tmp_path / line.split("\t")[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if "/models/" in str(path) else path.touch()
    snakemake(tmp_path, "--touch", "--forceall")  # every job's metadata recorded: params changes can be seen
    assert planned_jobs(tmp_path, config) == {}
    changed = copy.deepcopy(config)
    changed["easy_to_hard"]["cutoffs"] = ["m1", "m3"]
    assert planned_jobs(tmp_path, changed) == {"easy_to_hard": 1, "easy_to_hard_table": 1, "figure:easy_to_hard": 1, "all": 1}
    smallest = copy.deepcopy(config)
    smallest["easy_to_hard"]["train_size"] = "smallest"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(smallest))
    snakemake(tmp_path, "--touch", "--forceall")  # every job's metadata recorded: params changes can be seen
    assert planned_jobs(tmp_path, smallest) == {}
    smallest["easy_to_hard"]["cutoffs"] = ["m1", "m3"]
    assert planned_jobs(tmp_path, smallest) == {"easy_to_hard": 4, "easy_to_hard_table": 1, "figure:easy_to_hard": 1, "all": 1}


def test_a_cell_reports_balanced_accuracy_the_hard_sets_balance_and_the_weak_model_on_all_test():
    """The hard set is rarely balanced and the weak model is low on it by the definition of hard: a
    cell says how unbalanced the hard set is, scores the student by balanced accuracy too, and gives
    the weak model's accuracy on the whole test set."""
    import torch

    from weak2strong.families.easy_to_hard.steps import run_cell
    from weak2strong.training.loop import TrainConfig

    rng = np.random.default_rng(0)
    n = 200
    y = (np.arange(n) % 2).astype(int)
    x = torch.tensor(np.c_[2.0 * y - 1 + 0.3 * rng.normal(size=n), rng.normal(size=n)], dtype=torch.float32)
    ids = [f"e{i}" for i in range(n)]
    kind = np.array(["train"] * 100 + ["test_hard"] * 100)
    hard = pd.DataFrame({"id": ids, "split": kind, "label": y})
    hard = hard[(hard["split"] == "train") | (hard["label"] == 1) | (np.arange(n) % 10 == 0)]  # hard test: mostly class 1
    weak = pd.DataFrame({"id": ids, "split": np.where(kind == "train", "train_b", "test"), "gt_label": y,
                         "soft_label": np.where(np.arange(n) % 4 == 0, 1 - y, y).astype(np.float32)})  # wrong on a quarter
    full_test = pd.DataFrame({"id": ids[100:], "label": y[100:]})
    cfg = TrainConfig(lr=0.05, batch_size=32, epochs=10)
    rows = run_cell(hard, weak, (x, ids), cfg, seed=0, full_test=full_test)
    row = {r["labels"]: r for r in rows}
    test_hard = hard[hard["split"] == "test_hard"]
    assert row["weak"]["hard_test_pos_frac"] == pytest.approx(test_hard["label"].mean()) and row["weak"]["hard_test_pos_frac"] > 0.8
    assert row["weak"]["weak_full_test_acc"] == pytest.approx(0.75)
    assert row["ground_truth"]["hard_test_bal_acc"] > 0.9 and row["ground_truth"]["full_test_acc"] > 0.9
    assert row["weak"]["n_test_hard"] == len(test_hard)

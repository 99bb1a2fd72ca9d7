"""Splits: balance, groups never on two sides, determinism, stable ids."""

import pandas as pd
import pytest

from weak2strong.data.examples import example_id, finalize_examples
from weak2strong.data.splits import sample_pool, split_examples
from weak2strong.errors import DatasetError

SIZES = {"train_a": 100, "train_b": 150, "test": 120}


def grouped_pool(n_groups=400, per_group=3, imbalance=0.7):
    rows = []
    for g in range(n_groups):
        for k in range(per_group):
            label = int((g * per_group + k) % 10 < imbalance * 10)
            rows.append({"text": f"question {g} answer {k}", "label": label, "group": f"q{g}"})
    return finalize_examples(rows, "toy")


def test_each_split_is_balanced_and_sized():
    split = split_examples(sample_pool(grouped_pool(), None, 0), SIZES, seed=0)
    for name, size in SIZES.items():
        part = split[split["split"] == name]
        assert len(part) == size
        assert part["label"].mean() == 0.5


def test_groups_never_cross_splits():
    split = split_examples(sample_pool(grouped_pool(), None, 0), SIZES, seed=3)
    assert (split.groupby("group")["split"].nunique() == 1).all()


def test_split_is_deterministic_for_a_seed_and_changes_with_it():
    pool = sample_pool(grouped_pool(), None, 0)
    a = split_examples(pool, SIZES, seed=1)
    b = split_examples(pool.sample(frac=1.0, random_state=9), SIZES, seed=1)  # input order must not matter
    c = split_examples(pool, SIZES, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a[["id", "split"]].equals(c[["id", "split"]])


def test_ids_are_content_hashes():
    df = finalize_examples([{"text": "b", "label": 0, "group": None}, {"text": "a", "label": 1, "group": None}], "t")
    assert dict(zip(df["text"], df["id"])) == {"a": example_id("a"), "b": example_id("b")}
    assert df["group"].tolist() == df["id"].tolist()  # no group: each example is its own


def test_conflicting_duplicates_are_dropped_and_exact_ones_merged():
    rows = [
        {"text": "same", "label": 1, "group": None},
        {"text": "same", "label": 1, "group": None},
        {"text": "clash", "label": 1, "group": None},
        {"text": "clash", "label": 0, "group": None},
        {"text": "other", "label": 0, "group": None},
    ]
    assert sorted(finalize_examples(rows, "t")["text"]) == ["other", "same"]


def test_one_class_dataset_is_a_clear_error():
    with pytest.raises(DatasetError, match="every example has label 1"):
        finalize_examples([{"text": f"t{i}", "label": 1, "group": None} for i in range(10)], "onesided")


def test_too_little_data_names_the_fix():
    with pytest.raises(DatasetError, match="max_examples"):
        split_examples(sample_pool(grouped_pool(n_groups=10), None, 0), SIZES, seed=0, dataset="tiny")


def test_pool_cap_keeps_whole_groups_and_balance():
    pool = sample_pool(grouped_pool(), 300, seed=0)
    assert len(pool) <= 300
    full = grouped_pool()
    sizes = full.groupby("group").size()
    kept = pool.groupby("group").size()
    # balancing may drop single examples, but a kept group is never split across pool and rest
    assert (kept <= sizes.loc[kept.index]).all()
    assert abs(pool["label"].mean() - 0.5) < 0.05

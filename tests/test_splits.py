"""Splits: balance, groups never on two sides, determinism, stable ids."""

import numpy as np
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


def test_a_claim_and_its_negation_or_paraphrase_share_a_group():
    from weak2strong.data.near_duplicates import merge_near_duplicates

    template = "On June 2017, the following claim was made: {}\nQ: Was this claim true or false?\nA:"
    claims = ["Paris is the capital of France.", "Paris is not the capital of France.", "Paris isn't the capital of France.",
              "Berlin is a city in Germany.", "The Eiffel Tower stands in Paris.", "Yin and yang is a Taoist moral concept.",
              "Yin and yang is not a Taoist concept."]
    texts = [template.format(c) for c in claims] + [template.format(f"Person {i} was born in {1900 + i}.") for i in range(30)]
    groups = [f"g{i}" for i in range(len(texts))]
    merged = merge_near_duplicates(groups, texts, 0.8)
    assert merged[0] == merged[1] == merged[2] == "g0" and merged[5] == merged[6]
    # the shared template ("claim", "true", "false", ...) does not make unrelated claims duplicates
    assert len({merged[3], merged[4], merged[0], merged[5]}) == 4 and len(set(merged[7:])) == 30
    # the same answer whatever the order of the examples
    order = list(range(len(texts)))[::-1]
    assert [merge_near_duplicates([groups[i] for i in order], [texts[i] for i in order], 0.8)[k] for k in range(len(texts))] == \
           [merged[i] for i in order]
    assert merge_near_duplicates(groups, texts, None) == groups


def test_prefix_filtering_finds_every_pair_a_full_comparison_finds():
    import itertools
    import random

    from weak2strong.data.near_duplicates import content_words, near_duplicate_pairs

    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.sample(vocab, rng.randint(3, 7))) for _ in range(300)]
    words = [content_words(t) for t in texts]
    brute = {(i, j) for i, j in itertools.combinations(range(len(texts)), 2)
             if words[i] and len(words[i] & words[j]) / len(words[i] | words[j]) >= 0.6}
    assert brute and set(near_duplicate_pairs(texts, 0.6)) == brute


def test_near_duplicates_never_straddle_splits():
    from weak2strong.data.near_duplicates import merge_near_duplicates

    rows = []
    for g in range(300):
        rows.append({"text": f"item {g} of colour c{g} is heavy", "label": g % 2, "group": None})
        rows.append({"text": f"item {g} of colour c{g} is not heavy", "label": 1 - g % 2, "group": None})
    pool = finalize_examples(rows, "toy")
    pool["group"] = merge_near_duplicates(pool["group"].tolist(), pool["text"].tolist(), 0.8)
    assert pool["group"].nunique() == 300
    split = split_examples(pool, {"train_a": 100, "train_b": 150, "test": 120}, seed=3)
    assert (split.groupby("group")["split"].nunique() == 1).all()


def test_a_pool_too_small_for_the_splits_says_why_in_numbers():
    rows = [{"text": f"t{i}", "label": i % 2, "group": None} for i in range(60)]
    pool = finalize_examples(rows, "toy")
    with pytest.raises(DatasetError, match=r"The pool has 60 examples \(30 of class 0, 30 of class 1\) in 60 groups.*ask for 370.*"
                                           r"fewer usable examples"):
        split_examples(pool, SIZES, seed=0)


def test_deal_groups_keeps_each_group_whole_and_fills_the_bins_evenly():
    """The one way groups are dealt (easy-to-hard's cross-fitting folds, a chain's chunks of train_b):
    every row of a group lands in one bin, the bins' sizes differ by at most the largest group, and a
    seed deals the same way twice and differently from another seed."""
    from weak2strong.data.splits import deal_groups

    rng = np.random.default_rng(0)
    groups = pd.Series([f"g{int(k)}" for k in rng.integers(0, 60, 400)])
    deal = deal_groups(groups, 4, seed=3)
    assert set(deal) == set(groups) and set(deal.values()) == {0, 1, 2, 3}
    sizes = groups.map(deal).value_counts()
    assert sizes.max() - sizes.min() <= groups.value_counts().max()
    assert deal == deal_groups(groups, 4, seed=3) and deal != deal_groups(groups, 4, seed=4)

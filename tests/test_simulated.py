"""Simulated weak supervisors: exact flip rates, matched accuracy, confident errors, systematic errors."""

import numpy as np
import pandas as pd
import pytest
import torch

from weak2strong.errors import ConfigError
from weak2strong.families.simulated.plan import Supervisor, simulated_plan
from weak2strong.families.simulated.steps import error_rates, exact_flips, noisy_soft_labels, simulate
from weak2strong.training.loop import TrainConfig

CFG = TrainConfig(lr=0.01, batch_size=32, epochs=20, weight_decay=0.0, schedule="cosine", eval_points=0)


def splits_with_features(n=300, d=16, seed=0):
    """train_a / train_b / test rows whose label is the sign of the sum of the first 8 coordinates."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3 * n, d)).astype(np.float32)
    y = (x[:, :8].sum(1) > 0).astype(np.int8)
    ids = [f"e{i}" for i in range(3 * n)]
    splits = pd.DataFrame({"id": ids, "split": np.repeat(["train_a", "train_b", "test"], n), "text": "", "label": y, "group": ids})
    return splits, (torch.as_tensor(x), ids)


def test_soft_labels_by_hand():
    y = np.array([1, 0, 1, 0])
    flips = np.array([True, False, False, False])
    # a calibrated labeller that errs on a quarter: every stated class at 0.75
    assert noisy_soft_labels(y, flips, 0.25) == pytest.approx([0.25, 0.25, 0.75, 0.25])
    # confident_wrong: the flipped label stated with confidence 0.9 (p = 0.95 for class 0), the others as before
    assert noisy_soft_labels(y, flips, 0.25, wrong_confidence=0.9) == pytest.approx([0.05, 0.25, 0.75, 0.25])
    # at a rate of 0.5 or more the stated class stays the hard label
    assert (noisy_soft_labels(y, ~flips, 0.75) > 0.5).astype(int).tolist() == [1, 1, 0, 1]


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.37, 0.5])
def test_noise_rates_are_realised(rate):
    splits, _ = splits_with_features()
    realised = []
    for seed in range(20):
        table = simulate(Supervisor("noise", "random_noise", rate=rate, labels="soft"), splits, seed, "toy")
        errors = error_rates(table)
        assert errors["train_b"] == pytest.approx(round(rate * 300) / 300) and errors["test"] == pytest.approx(round(rate * 300) / 300)
        realised.append(table.loc[table["split"] == "train_b", "hard_label"].to_numpy())
    # different seeds flip different examples
    assert len({r.tobytes() for r in realised}) == 20 or rate == 0
    with pytest.raises(ValueError, match="flip rate"):
        exact_flips(10, 1.5, np.random.default_rng(0))


def test_matched_supervisors_copy_the_error_rate_and_differ_only_in_confidence():
    splits, features = splits_with_features()
    subset = simulate(Supervisor("fs", "feature_subset", k=2, labels="soft"), splits, 0, "toy", features, train_cfg=CFG)
    noise = simulate(Supervisor("rn", "random_noise", matched_to="fs", labels="soft"), splits, 0, "toy", matched=subset)
    sure = simulate(Supervisor("cw", "confident_wrong", matched_to="fs", confidence=0.9, labels="soft"), splits, 0, "toy",
                    matched=subset)
    assert 0.05 < error_rates(subset)["test"] < 0.45  # a probe on 2 of the 8 informative coordinates: a real weak supervisor
    assert error_rates(noise) == pytest.approx(error_rates(subset), abs=1e-12)
    assert (noise["hard_label"] == sure["hard_label"]).all()  # the same flips
    wrong = sure["hard_label"] != sure["gt_label"]
    confidence = (2 * sure["soft_label"] - 1).abs()
    assert confidence[wrong].min() > confidence[~wrong].max()  # its errors are its surest labels
    assert (2 * noise["soft_label"] - 1).abs().round(5).nunique() == 2  # calibrated: one confidence per split
    assert list(noise.columns) == ["id", "split", "gt_label", "soft_label", "hard_label", "weak_model", "dataset", "seed"]


def test_hard_labels_by_default_state_only_which_class():
    """The paper's simulated supervisors give hard labels: the student sees 0 or 1 from every kind, so
    kinds at one accuracy differ only in which examples they get wrong (the soft feature-subset probe
    stated a mean confidence far below the flips' and a student learns confidence as well as class)."""
    splits, features = splits_with_features()
    subset = simulate(Supervisor("fs", "feature_subset", k=2), splits, 0, "toy", features, train_cfg=CFG)
    noise = simulate(Supervisor("rn", "random_noise", matched_to="fs"), splits, 0, "toy", matched=subset)
    soft = simulate(Supervisor("fs", "feature_subset", k=2, labels="soft"), splits, 0, "toy", features, train_cfg=CFG)
    for table in (subset, noise):
        assert set(table["soft_label"].unique()) == {0.0, 1.0}
        assert (table["soft_label"] == table["hard_label"]).all()
    assert (subset["hard_label"] == soft["hard_label"]).all()  # the same errors as the soft probe's
    assert soft["soft_label"].nunique() > 100
    assert error_rates(noise) == pytest.approx(error_rates(subset), abs=1e-12)


@pytest.mark.slow
def test_feature_subset_errors_are_systematic():
    """A feature-subset supervisor's labels are a function of what the student sees: a probe on the
    full features reproduces them far better than it reproduces random flips at the same rate."""
    from weak2strong.losses import Xent
    from weak2strong.training.probe import fit_probe, probe_predict

    splits, features = splits_with_features(n=400)
    subset = simulate(Supervisor("fs", "feature_subset", k=3), splits, 1, "toy", features, train_cfg=CFG)
    noise = simulate(Supervisor("rn", "random_noise", matched_to="fs"), splits, 1, "toy", matched=subset)
    x = features[0]
    b, t = (splits["split"] == "train_b").to_numpy(), (splits["split"] == "test").to_numpy()

    def imitation(labels):
        labels = labels.set_index("id").reindex(splits["id"])  # train_b and test rows (train_a has no weak labels)
        probe, _ = fit_probe(x[b], labels.loc[b, "soft_label"].to_numpy(np.float32), Xent(), CFG, 0)
        return float(((probe_predict(probe, x[t]) > 0.5) == labels.loc[t, "hard_label"].to_numpy()).mean())

    assert imitation(subset) > 0.9 > imitation(noise) + 0.1


def test_on_pair_differences_the_probes_take_the_reward_models_form():
    """Features of a comparison dataset are differences f(c1) - f(c2): a probe with a bias or centring
    prefers one side whatever the pair says. With ``pairwise`` the feature-subset probe (and the
    easy-to-hard probes, the same fit) is swap-exact: the swapped pair gets exactly 1 - p."""
    splits, (x, ids) = splits_with_features(n=200)
    x = x + 0.7  # side randomisation is never perfect in a sample: a centred, biased probe learns the offset
    swapped = splits[splits["split"] == "test"].assign(id=lambda t: t["id"] + "_swapped", label=lambda t: 1 - t["label"])
    splits = pd.concat([splits, swapped], ignore_index=True)
    test_rows = [ids.index(i) for i in splits.loc[splits["split"] == "test", "id"] if not i.endswith("_swapped")]
    features = (torch.cat([x, -x[test_rows]]), ids + [f"{ids[r]}_swapped" for r in test_rows])
    for pairwise, exact in ((True, True), (False, False)):
        table = simulate(Supervisor("fs", "feature_subset", k=4, labels="soft"), splits, 0, "toy", features, train_cfg=CFG,
                         pairwise=pairwise).set_index("id")
        test = [i for i in table.index if table.loc[i, "split"] == "test" and not i.endswith("_swapped")]
        total = table.loc[test, "soft_label"].to_numpy() + table.loc[[f"{i}_swapped" for i in test], "soft_label"].to_numpy()
        assert np.allclose(total, 1.0, atol=1e-5) == exact


def test_k_larger_than_the_features_is_a_config_error():
    splits, features = splits_with_features(d=16)
    with pytest.raises(ConfigError, match="simulated.feature_subset.k = 40.*16 coordinates"):
        simulate(Supervisor("fs", "feature_subset", k=40), splits, 0, "toy", features, train_cfg=CFG)


def _plan(block, models=("w", "s")):
    from types import SimpleNamespace

    return simulated_plan({"simulated": block}, SimpleNamespace(
        strong=["s"], on_features=True, datasets={"d": None}, losses=["xent", "logconf"],
        models={m: SimpleNamespace(size=i + 1) for i, m in enumerate(models)}))


def test_plan_names_matched_and_fixed_supervisors():
    plan = _plan({"labels": "soft", "feature_subset": {"k": [4, 64]}, "random_noise": {"rates": [0.2]},
                  "confident_wrong": {"matched": True}, "losses": ["xent", "logconf"]})
    assert list(plan.supervisors) == ["feature_subset_k4", "feature_subset_k64", "random_noise_k4", "random_noise_k64",
                                      "random_noise_rate0.2", "confident_wrong_k4", "confident_wrong_k64"]
    assert plan.supervisors["random_noise_k64"].matched_to == "feature_subset_k64"
    assert plan.supervisors["confident_wrong_k4"].confidence == 0.9 and plan.supervisors["random_noise_rate0.2"].rate == 0.2
    assert plan.student == "s" and len(plan.cells()) == 7 * 2
    assert {s.labels for s in plan.supervisors.values()} == {"soft"}
    assert {s.labels for s in _plan({"feature_subset": {"k": [4]}, "random_noise": {}}).supervisors.values()} == {"hard"}
    with pytest.raises(ConfigError, match="random_noise under another name"):
        _plan({"feature_subset": {"k": [4]}, "confident_wrong": {}})
    with pytest.raises(ConfigError, match="not in experiment.losses"):
        _plan({"feature_subset": {"k": [4]}, "losses": ["kl"]})
    with pytest.raises(ConfigError, match="no supervisor"):
        _plan({"random_noise": {}})
    with pytest.raises(ConfigError, match="also model names"):
        _plan({"feature_subset": {"k": [4]}}, models=("w", "s", "feature_subset_k4"))


def test_length_flips_make_exactly_the_longest_texts_wrong_at_the_matched_rate():
    """Structured errors: the same number of flips as the feature-subset probe (per split), on the
    longest texts; a text shorter than every flipped one is never flipped."""
    splits, features = splits_with_features()
    rng = np.random.default_rng(3)
    splits["text"] = ["w" * int(n) for n in rng.integers(5, 200, size=len(splits))]
    subset = simulate(Supervisor("fs", "feature_subset", k=2), splits, 0, "toy", features, train_cfg=CFG)
    structured = simulate(Supervisor("lf", "length_flips", matched_to="fs"), splits, 0, "toy", matched=subset)
    assert error_rates(structured) == pytest.approx(error_rates(subset), abs=1e-12)
    for split, g in structured.groupby("split"):
        lengths = g["id"].map(splits.set_index("id")["text"].str.len())
        wrong = g["hard_label"] != g["gt_label"]
        assert lengths[wrong].min() >= lengths[~wrong].max(), split  # every flipped text is at least as long as every kept one
    assert set(structured["soft_label"]) <= {0.0, 1.0}  # hard labels, as every kind by default
    plan = _plan({"feature_subset": {"k": [4]}, "length_flips": {"rates": [0.1]}})
    assert {n: s.kind for n, s in plan.supervisors.items() if s.kind == "length_flips"} == {"length_flips_k4": "length_flips",
                                                                                           "length_flips_rate0.1": "length_flips"}


def test_soft_labels_of_equal_mean_confidence_differ_from_the_probe_only_in_which_examples_are_wrong():
    """labels: soft_equal: matched supervisors state every label with the feature-subset probe's mean
    confidence (per split), so accuracy and mean confidence are both matched."""
    splits, features = splits_with_features()
    subset = simulate(Supervisor("fs", "feature_subset", k=2, labels="soft_equal"), splits, 0, "toy", features, train_cfg=CFG)
    for kind in ("random_noise", "length_flips"):
        other = simulate(Supervisor("x", kind, matched_to="fs", labels="soft_equal"), splits, 0, "toy", matched=subset)
        assert error_rates(other) == pytest.approx(error_rates(subset), abs=1e-12)
        for split in ("train_b", "test"):
            conf = lambda t: (2 * t.loc[t["split"] == split, "soft_label"].astype(float) - 1).abs()
            assert conf(other).mean() == pytest.approx(conf(subset).mean(), abs=1e-6)
            assert conf(other).round(6).nunique() == 1  # one confidence for every label of the split
    with pytest.raises(ConfigError, match="random_noise under another name"):
        _plan({"labels": "soft_equal", "feature_subset": {"k": [4]}, "confident_wrong": {}})


def test_a_length_bias_is_describable_matched_and_representable_unlike_length_flips():
    """Length flips (y XOR long(x)) are easy to describe but no linear function of the features; the
    length-biased labeller leans towards "long means positive" through a direction of the student's
    own features, so at the same error rate its errors are long negatives and short positives, and a
    linear probe on those features reproduces its labels where it cannot reproduce the flips."""
    from weak2strong.losses import Xent
    from weak2strong.training.probe import fit_probe, probe_predict

    rng = np.random.default_rng(0)
    n, d = 400, 16
    length = rng.normal(size=3 * n)
    x = rng.normal(size=(3 * n, d)).astype(np.float32)
    x[:, 8] = length  # the features encode the text's length on one coordinate
    y = (x[:, :8].sum(1) > 0).astype(np.int8)
    ids = [f"e{i}" for i in range(3 * n)]
    texts = ["w" * int(20 * np.exp(v)) for v in length]  # log length follows coordinate 8
    splits = pd.DataFrame({"id": ids, "split": np.repeat(["train_a", "train_b", "test"], n), "text": texts, "label": y, "group": ids})
    features = (torch.as_tensor(x), ids)
    biased = simulate(Supervisor("lb", "length_bias", rate=0.25), splits, 0, "toy", features, train_cfg=CFG)
    flips = simulate(Supervisor("lf", "length_flips", rate=0.25), splits, 0, "toy")
    assert error_rates(biased)["train_b"] == pytest.approx(0.25, abs=0.02) and error_rates(biased)["test"] == pytest.approx(0.25, abs=0.02)
    b = biased[biased["split"] == "train_b"].merge(splits[["id", "text"]], on="id")
    wrong = b[b["hard_label"] != b["gt_label"]]
    said_positive, said_negative = wrong[wrong["hard_label"] == 1], wrong[wrong["hard_label"] == 0]
    assert said_positive["text"].str.len().mean() > 2 * said_negative["text"].str.len().mean()  # long called positive, short negative

    def refit(labels):  # how well a linear probe on the features reproduces a supervisor's train_b labels on test
        tb, te = labels[labels["split"] == "train_b"], labels[labels["split"] == "test"]
        rows = {i: k for k, i in enumerate(ids)}
        probe, _ = fit_probe(torch.as_tensor(x[[rows[i] for i in tb["id"]]]), tb["hard_label"].to_numpy(np.float32), Xent(), CFG, 0)
        return float(((probe_predict(probe, torch.as_tensor(x[[rows[i] for i in te["id"]]])) > 0.5) == te["hard_label"]).mean())

    assert refit(biased) > 0.9 > refit(flips) + 0.1
    plan = _plan({"feature_subset": {"k": [4]}, "length_bias": {}})
    assert plan.supervisors["length_bias_k4"].matched_to == "feature_subset_k4"

"""Every regime is one back-end behind one signature: a new regime is one function and one entry."""

import numpy as np
import pytest
import yaml

from weak2strong import regimes
from weak2strong.experiment import Regime, strong_ceiling, student, weak_labels
from weak2strong.models.registry import resolve_model
from weak2strong.training.loop import TrainConfig, TrainResult

from synthetic import toy_splits
from workflow_helpers import REPO

CALLS = []


def constant_backend(run):
    """A regime that predicts 0.7 everywhere, and reports what it was given."""
    CALLS.append(run)
    for split, callback in run.watch.items():
        run.extra_metrics = callback(np.full(len(run.rows(split)), 0.7))
    return {split: np.full(len(run.rows(split)), 0.7, dtype=np.float32) for split in run.predict}, TrainResult(steps=1)


@pytest.fixture
def constant_regime():
    with regimes.REGIMES.added(regimes.RegimeKind("constant", "test_backends:constant_backend", False)):
        CALLS.clear()
        yield Regime("constant", TrainConfig(lr=1.0))


def test_a_new_regime_is_one_backend_and_one_entry(constant_regime):
    spec = resolve_model("m", {"backbone": "minilm-l6", "layer": 1})
    splits = toy_splits(10)
    labels, _ = weak_labels(constant_regime, spec, splits, seed=0, dataset="toy")
    assert set(labels["split"]) == {"train_b", "test"} and np.allclose(labels["soft_label"], 0.7)
    assert CALLS[-1].train_split == "train_a" and list(CALLS[-1].targets) == list(splits.loc[splits["split"] == "train_a", "label"])
    strong_ceiling(constant_regime, spec, splits, seed=0, dataset="toy")
    assert CALLS[-1].train_split == "train_b" and CALLS[-1].predict == ["train_b", "test"]
    table, _ = student(constant_regime, spec, splits, labels, "xent", {}, seed=0, dataset="toy")
    run = CALLS[-1]
    # the student's targets are the weak labels; its watch list reports test accuracy and agreement
    assert np.allclose(run.targets, 0.7) and set(run.watch) == {"test"}
    assert run.extra_metrics == {"test_acc": 0.5, "agreement": 1.0}
    assert set(table["role"]) == {"student"}


def test_early_stopping_watches_the_held_out_slice_through_the_same_mapping(constant_regime):
    spec = resolve_model("m", {"backbone": "minilm-l6", "layer": 1})
    splits = toy_splits(20)
    labels, _ = weak_labels(constant_regime, spec, splits, seed=0, dataset="toy")
    stopping = Regime("constant", TrainConfig(lr=1.0, early_stopping="weak_labels", holdout_frac=0.2))
    student(stopping, spec, splits, labels, "xent", {}, seed=0, dataset="toy")
    run = CALLS[-1]
    assert run.select_split == "train_b_holdout" and set(run.watch) == {"test", "train_b_holdout"}
    assert set(run.watch["train_b_holdout"](np.full(len(run.rows("train_b_holdout")), 0.7))) == {"score"}


def test_the_plan_accepts_a_registered_regime_and_refuses_an_unknown_one(constant_regime):
    from weak2strong.errors import ConfigError
    from weak2strong.plan import build_plan

    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["experiment"]["regime"] = "constant"
    config["regimes"]["constant"] = {"lr": 1.0, "batch_size": 8, "epochs": 1}
    plan = build_plan(config)
    assert plan.regime == "constant" and not plan.on_features
    assert plan.train_options("mpnet", "nyt_editorial_sentiment")["truncation"] == "right"
    config["experiment"]["regime"] = "nope"
    with pytest.raises(ConfigError, match="unknown regime 'nope'"):
        build_plan(config)


def test_the_shipped_regimes_resolve_to_their_backends():
    from weak2strong.training import finetune
    from weak2strong.training.probe import probe_and_predict

    assert regimes.backend("linear_probe") is probe_and_predict
    # each regime names its own back-end: no back-end asks which regime it runs
    assert [regimes.backend(name) for name in ("finetune", "lora", "lp_ft")] == [
        finetune.finetune_and_predict, finetune.lora_and_predict, finetune.lp_ft_and_predict]
    assert [name for name, r in regimes.REGIMES.items() if r.on_features] == ["linear_probe"]

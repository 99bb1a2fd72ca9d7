"""A job's seeds trained as one tensor program (training/probe.py: probes_and_predict) give what each
seed trained alone gives: the same data order, initialisation and updates, up to the summation order
of a batched matrix product."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from weak2strong.experiment import ceiling_step, run_steps, student_step, weak_step
from weak2strong.io import write_safetensors
from weak2strong.models.registry import resolve_model
from weak2strong.training.loop import TrainConfig
from weak2strong.training.probe import can_batch, probe_and_predict, probes_and_predict
from weak2strong.training.run import Regime


def features_file(tmp_path, n=600, d=24, seed=0, pairwise=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    ids = [f"e{i}" for i in range(n)]
    path = tmp_path / "features.safetensors"
    write_safetensors({"features": torch.tensor(x)}, path, {"ids": json.dumps(ids), "pairwise": str(pairwise).lower()})
    label = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int8)
    return path, ids, label


def seed_splits(ids, label, seed, sizes=(150, 200, 150)):
    order = np.random.default_rng(seed).permutation(len(ids))
    names = ["train_a"] * sizes[0] + ["train_b"] * sizes[1] + ["test"] * sizes[2]
    rows = [{"id": ids[i], "split": s, "text": "", "label": int(label[i]), "group": ids[i]} for i, s in zip(order, names)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("loss, options", [("xent", {}), ("logconf", {"alpha_max": 0.5, "warmup_frac": 0.2}),
                                           ("conf_threshold", {"threshold": 0.2})])
def test_seeds_trained_together_equal_seeds_trained_alone(loss, options, tmp_path):
    path, ids, label = features_file(tmp_path)
    regime = Regime("linear_probe", TrainConfig(lr=0.01, batch_size=32, epochs=3, weight_decay=0.01, eval_points=4))
    model = resolve_model("m", {"backbone": "minilm-l6"})
    seeds = [0, 1, 2, 5]
    splits = {s: seed_splits(ids, label, s) for s in seeds}
    kw = {"features_path": str(path), "dataset": "d"}
    weak = run_steps([weak_step(regime, model, splits[s], s, **kw) for s in seeds])  # batched
    alone = [run_steps([weak_step(regime, model, splits[s], s, **kw)])[0] for s in seeds]
    for (together, r1), (single, r2) in zip(weak, alone):
        np.testing.assert_allclose(together["soft_label"], single["soft_label"], atol=2e-6)
        assert r1.losses == pytest.approx(r2.losses, abs=1e-6)
    steps = [student_step(regime, model, splits[s], weak[k][0], loss, options, s, **kw) for k, s in enumerate(seeds)]
    assert can_batch([st.run for st in steps])
    batched = probes_and_predict([st.run for st in steps])
    for st, (preds, result) in zip(steps, batched):
        single_preds, single_result = probe_and_predict(st.run)
        for split in preds:
            np.testing.assert_allclose(preds[split], single_preds[split], atol=2e-6)
        assert result.losses == pytest.approx(single_result.losses, abs=1e-6)
        dynamics, single_dynamics = result.extra["dynamics"], single_result.extra["dynamics"]
        assert [d["step"] for d in dynamics] == [d["step"] for d in single_dynamics]
        assert [d["test_acc"] for d in dynamics] == pytest.approx([d["test_acc"] for d in single_dynamics], abs=1e-9)


def test_runs_that_differ_are_trained_one_at_a_time(tmp_path):
    """Early stopping (a held-out slice of its own size per seed) or other options: no batching."""
    path, ids, label = features_file(tmp_path)
    model = resolve_model("m", {"backbone": "minilm-l6"})
    kw = {"features_path": str(path), "dataset": "d"}
    plain = Regime("linear_probe", TrainConfig(lr=0.01, batch_size=32, epochs=1))
    stopping = Regime("linear_probe", TrainConfig(lr=0.01, batch_size=32, epochs=1, early_stopping="weak_labels"))
    two = [ceiling_step(plain, model, seed_splits(ids, label, s), s, **kw).run for s in (0, 1)]
    assert can_batch(two) and not can_batch(two[:1])
    other = ceiling_step(Regime("linear_probe", TrainConfig(lr=0.02, batch_size=32, epochs=1)), model, seed_splits(ids, label, 2), 2, **kw)
    assert not can_batch([*two, other.run])
    labels = run_steps([weak_step(plain, model, seed_splits(ids, label, s), s, **kw) for s in (0, 1)])
    held = [student_step(stopping, model, seed_splits(ids, label, s), labels[s][0], "xent", {}, s, **kw).run for s in (0, 1)]
    assert not can_batch(held)
    assert len(probes_and_predict(held)) == 2  # each alone, with its early stopping


def test_pairwise_and_k_class_probes_batch_too(tmp_path):
    path, ids, label = features_file(tmp_path, pairwise=True)
    model = resolve_model("m", {"backbone": "minilm-l6"})
    regime = Regime("linear_probe", TrainConfig(lr=0.01, batch_size=32, epochs=2))
    runs = [weak_step(regime, model, seed_splits(ids, label, s), s, features_path=str(path), dataset="d").run for s in (0, 1)]
    for (preds, _), run in zip(probes_and_predict(runs), runs):
        np.testing.assert_allclose(preds["test"], probe_and_predict(run)[0]["test"], atol=2e-6)
    k_class = [weak_step(regime, model, seed_splits(ids, label, s), s, features_path=str(path), dataset="d").run for s in (0, 1)]
    for run in k_class:
        y = np.zeros((len(run.targets), 3), dtype=np.float32)
        y[np.arange(len(y)), (np.asarray(run.targets) + np.arange(len(y)) % 2).astype(int)] = 1.0
        run.targets = y
    for (preds, _), run in zip(probes_and_predict(k_class), k_class):
        np.testing.assert_allclose(preds["test"], probe_and_predict(run)[0]["test"], atol=2e-6)


@pytest.mark.parametrize("name", ["xent", "logconf", "product", "conf_threshold", "kl", "reverse_xent", "conf_window",
                                  "adaptive_conf"])
def test_every_loss_gives_each_seed_what_it_gives_alone(name):
    """Vectorised over seeds (torch.func.vmap) where the loss allows it, one call per seed where it
    branches on tensor values; either way each seed's loss and gradient are its own."""
    from weak2strong.losses import make_loss
    from weak2strong.training.probe import batched_loss

    torch.manual_seed(0)
    logits = torch.randn(4, 32, 2, requires_grad=True)
    targets = torch.rand(4, 32)
    fns = [make_loss(name, {}) for _ in range(4)]
    together = batched_loss(fns[0], 4)(fns, logits, targets, 0.5)
    (grad,) = torch.autograd.grad(together.sum(), logits)
    for s, fn in enumerate(fns):
        alone = fn(logits[s], targets[s], 0.5)
        assert together[s].item() == pytest.approx(alone.item(), abs=1e-6)
        (own,) = torch.autograd.grad(alone, logits)
        torch.testing.assert_close(grad[s], own[s], atol=1e-6, rtol=1e-5)


def test_seeds_too_large_to_stack_train_one_at_a_time(tmp_path, monkeypatch):
    """A sweep of wide features and large splits would hold every seed's training rows side by side;
    above STACK_BYTES the job trains its seeds one after the other instead."""
    from weak2strong.training import probe

    path, ids, label = features_file(tmp_path)
    model = resolve_model("m", {"backbone": "minilm-l6"})
    regime = Regime("linear_probe", TrainConfig(lr=0.01, batch_size=32, epochs=1))
    runs = [weak_step(regime, model, seed_splits(ids, label, s), s, features_path=str(path), dataset="d").run for s in (0, 1)]
    alone = []
    monkeypatch.setattr(probe, "STACK_BYTES", 1)
    monkeypatch.setattr(probe, "probe_and_predict", lambda run: alone.append(run) or ({"test": np.zeros(1)}, None))
    probes_and_predict(runs)
    assert alone == runs

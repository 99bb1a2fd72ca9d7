"""Full fine-tuning path (backbone + head) on a tiny, separable task with a cut MiniLM."""

import numpy as np
import pandas as pd
import pytest
import torch

from weak2strong.experiment import Regime, strong_ceiling
from weak2strong.models.registry import resolve_model
from weak2strong.training.loop import TrainConfig

pytestmark = pytest.mark.slow


def toy_splits(n=48):
    rows = []
    for i in range(n):
        for split in ("train_a", "train_b", "test"):
            label = i % 2
            word = ["dreadful", "wonderful"][label]
            rows.append({"id": f"{split}{i}", "split": split, "text": f"{split} item {i} was {word}", "label": label, "group": f"{split}{i}"})
    return pd.DataFrame(rows)


def test_finetuning_learns_a_separable_task(test_resources, minilm):
    torch.set_num_threads(2)
    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("finetune", TrainConfig(lr=1e-4, batch_size=16, epochs=4), max_length=16)
    splits = toy_splits()
    preds, result = strong_ceiling(regime, spec, splits, seed=0, dataset="toy", resources_dir=str(test_resources))
    test = preds[preds["split"] == "test"]
    assert (test["hard_label"] == test["gt_label"]).mean() >= 0.95
    assert result.losses[-1] < result.losses[0]


def test_finetuning_is_deterministic_for_a_seed(test_resources, minilm):
    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("finetune", TrainConfig(lr=1e-4, batch_size=16, epochs=1), max_length=16)
    splits = toy_splits(16)
    a, _ = strong_ceiling(regime, spec, splits, seed=3, dataset="toy", resources_dir=str(test_resources))
    b, _ = strong_ceiling(regime, spec, splits, seed=3, dataset="toy", resources_dir=str(test_resources))
    np.testing.assert_allclose(a["soft_label"], b["soft_label"], rtol=1e-5)

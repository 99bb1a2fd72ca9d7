"""Bootstrapping (Burns et al. 2023, §4.3.1): a chain W → M1 → … → S of growing models, each
trained on the previous one's soft labels on fresh data, compared with direct W → S.

For one seed: ``train_b`` is cut into k − 1 disjoint chunks (by group) for a chain of k models. W
learns ``train_a`` ground truth and labels chunk 1; M1 learns chunk 1 from those labels and labels
chunk 2; …; S learns the last chunk. Direct: W labels the last chunk and S learns it. Ceiling: S
learns the last chunk's ground truth. All are scored on ``test``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...chains import chain_table, chunk_train_b
from ...experiment import Regime, TrainingRun, train_and_predict
from ...losses import Xent, make_loss
from ...metrics import accuracy
from ...models.registry import ModelSpec


def run_chain(regime: Regime | dict[str, Regime], chain: list[ModelSpec], splits: pd.DataFrame, seed: int, loss: str,
              loss_options: dict, features: dict[str, str] | None = None, resources_dir: str = "resources") -> pd.DataFrame:
    """Test accuracy of every model of the chain, of direct W → S, and of the ceiling, for one seed.

    ``regime``: one for every model, or one per model name (a model's own lr)."""
    if len(chain) < 3:
        raise ValueError("a bootstrapping chain needs at least three models (weak, intermediate, strong)")
    n_chunks = len(chain) - 1
    data = chunk_train_b(splits, n_chunks, seed)
    gt_test = data.loc[data["split"] == "test", "label"].to_numpy()
    paths = features or {}

    def fit(model, train_split, targets, loss_fn, predict):
        model_regime = regime[model.name] if isinstance(regime, dict) else regime
        preds, _ = train_and_predict(TrainingRun(model, model_regime, data, train_split, targets, loss_fn, seed, predict,
                                                 features_path=paths.get(model.name), resources_dir=resources_dir))
        return preds

    weak, strong = chain[0], chain[-1]
    first = "chunk1"
    last = f"chunk{n_chunks}"
    y_a = data.loc[data["split"] == "train_a", "label"].to_numpy(dtype=np.float32)
    weak_preds = fit(weak, "train_a", y_a, Xent(), ["test", first, last])
    rows = [{"kind": "chain", "step": 0, "model": weak.name, "test_acc": accuracy(weak_preds["test"], gt_test)}]
    labels = weak_preds[first]
    for step, model in enumerate(chain[1:], start=1):
        nxt = f"chunk{step + 1}"
        preds = fit(model, f"chunk{step}", labels, make_loss(loss, loss_options), ["test"] + ([nxt] if step < n_chunks else []))
        rows.append({"kind": "chain", "step": step, "model": model.name, "test_acc": accuracy(preds["test"], gt_test)})
        labels = preds.get(nxt)
    direct = fit(strong, last, weak_preds[last], make_loss(loss, loss_options), ["test"])
    y_last = data.loc[data["split"] == last, "label"].to_numpy(dtype=np.float32)
    ceiling = fit(strong, last, y_last, Xent(), ["test"])
    rows.append({"kind": "direct", "step": n_chunks, "model": strong.name, "test_acc": accuracy(direct["test"], gt_test)})
    rows.append({"kind": "ceiling", "step": n_chunks, "model": strong.name, "test_acc": accuracy(ceiling["test"], gt_test)})
    return chain_table(rows, seed)

"""Bootstrapping chains on synthetic features where each rung sees more of the signal."""

import json

import pandas as pd
import torch
from safetensors.torch import save_file

from weak2strong.chains import chunk_train_b
from weak2strong.experiment import Regime
from weak2strong.families.bootstrap.steps import run_chain
from weak2strong.models.registry import resolve_model
from weak2strong.training.loop import TrainConfig


def test_chunks_are_disjoint_whole_groups_and_cover_train_b():
    ids = [f"e{i}" for i in range(90)]
    splits = pd.DataFrame({"id": ids, "split": ["train_b"] * 60 + ["test"] * 30, "text": ids, "label": [0, 1] * 45,
                           "group": [f"g{i // 3}" for i in range(90)]})
    out = chunk_train_b(splits, 3, seed=0)
    chunks = out[out["split"].str.startswith("chunk")]
    assert len(chunks) == 60 and set(chunks["split"]) == {"chunk1", "chunk2", "chunk3"}
    assert (chunks.groupby("group")["split"].nunique() == 1).all()
    assert chunks["split"].value_counts().max() - chunks["split"].value_counts().min() <= 3


def test_chain_runs_and_reports_each_rung_direct_and_ceiling(tmp_path):
    gen = torch.Generator().manual_seed(0)
    n = 1200
    signal = torch.randn(n, generator=gen)
    y = (signal > 0).long().numpy()
    ids = [f"e{i}" for i in range(n)]
    paths = {}
    for name, noise in (("w", 2.0), ("m", 1.0), ("s", 0.3)):  # stronger rungs see the signal more clearly
        x = torch.stack([signal + noise * torch.randn(n, generator=gen), torch.randn(n, generator=gen)], 1)
        paths[name] = str(tmp_path / f"{name}.safetensors")
        save_file({"features": x}, paths[name], metadata={"ids": json.dumps(ids)})
    split = ["train_a"] * 200 + ["train_b"] * 600 + ["test"] * 400
    splits = pd.DataFrame({"id": ids, "split": split, "text": ids, "label": y, "group": ids})
    chain = [resolve_model(name, {"backbone": "minilm-l6", "layer": layer}) for name, layer in (("w", 1), ("m", 2), ("s", 6))]
    table = run_chain(Regime("linear_probe", TrainConfig(lr=0.01, epochs=5)), chain, splits, 0, "xent", {}, features=paths)
    assert list(table["kind"]) == ["chain", "chain", "chain", "direct", "ceiling"]
    acc = table.set_index(["kind", "step"])["test_acc"]
    assert acc[("ceiling", 2)] > acc[("chain", 0)] + 0.05  # the chain has a gap to recover
    assert acc[("chain", 2)] > acc[("chain", 0)] and acc[("direct", 2)] > acc[("chain", 0)]

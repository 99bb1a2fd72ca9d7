"""Chains of growing models (bootstrapping, Burns et al. 2023, §4.3.1), what the NLP family
(families/bootstrap) and chess's share: ``train_b`` cut into fresh chunks, one per rung, and one seed's
chain as a table with every rung's PGR."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data.splits import deal_groups
from .metrics import pgr


def chunk_train_b(splits: pd.DataFrame, n_chunks: int, seed: int) -> pd.DataFrame:
    """Relabel ``train_b`` rows as ``chunk1``..``chunkN``, whole groups per chunk, sizes near equal."""
    out = splits.copy()
    b = out[out["split"] == "train_b"]
    chunk_of = deal_groups(b["group"], n_chunks, seed)
    out.loc[b.index, "split"] = b["group"].map(lambda g: f"chunk{chunk_of[g] + 1}")
    return out


def chain_table(rows: list[dict], seed: int) -> pd.DataFrame:
    """One seed's chain as a table: ``rows`` (kind, step, model, test_acc, ...) from the weak model
    (first) to the ceiling (last), with the PGR of every rung after the first and of direct W → S
    (the NLP family's in families/bootstrap/steps.py, chess's in families/chess/steps.py)."""
    table = pd.DataFrame(rows)
    weak_acc, ceiling_acc = rows[0]["test_acc"], rows[-1]["test_acc"]
    table["pgr"] = [pgr(a, weak_acc, ceiling_acc) if k in ("chain", "direct") and s > 0 else np.nan
                    for k, s, a in zip(table["kind"], table["step"], table["test_acc"])]
    table["seed"] = seed
    return table

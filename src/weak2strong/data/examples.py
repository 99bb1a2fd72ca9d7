"""The example table every dataset is turned into.

Schema of ``examples.parquet`` (one row per example):

=========  =======  ==========================================================
column     dtype    meaning
=========  =======  ==========================================================
id         string   first 16 hex digits of sha1(text): stable across reshuffles
text       string   the input shown to the models
label      int8     ground truth, 0 or 1
group      string   examples sharing a group (same question, same passage) are
                    never put on two sides of a split
=========  =======  ==========================================================

Pair datasets (reward modelling, data/pairs.py) add ``prompt``, ``c1``, ``c2`` (strings); their
``label`` is 1 when completion 1 is the preferred one.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import pyarrow as pa

from ..errors import DatasetError
from .pairs import PAIR_COLUMNS

log = logging.getLogger(__name__)

EXAMPLES_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("label", pa.int8()),
        ("group", pa.string()),
    ]
)

# results/data/{dataset}/unlabelled.parquet: the texts no split uses (data/prepare.py), without labels
UNLABELLED_SCHEMA = pa.schema([("id", pa.string()), ("text", pa.string())])


def example_id(text: str) -> str:
    """Content hash of the text, so an example keeps its id whatever the order of the data."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def finalize_examples(rows: list[dict], dataset: str) -> pd.DataFrame:
    """Turn raw ``{text, label, group}`` rows into the examples table.

    Drops empty texts; merges exact duplicate texts (keeping one copy) and drops texts that
    occur with both labels, since they cannot be learned; refuses a dataset with one class.
    """
    if not rows:
        raise DatasetError(f"dataset '{dataset}': the source produced no examples; check its source and fields.")
    pair_cols = [c for c in PAIR_COLUMNS if rows and c in rows[0]]
    df = pd.DataFrame(rows, columns=["text", "label", "group", *pair_cols])
    df["text"] = df["text"].astype(str).str.strip()
    empty = df["text"] == ""
    if empty.any():
        log.warning("%s: dropped %d examples with an empty text", dataset, int(empty.sum()))
    df = df[~empty]
    bad = ~df["label"].isin([0, 1])
    if bad.any():
        raise DatasetError(
            f"dataset '{dataset}': labels must be 0 or 1 after binarisation, found {sorted(df.loc[bad, 'label'].unique())[:5]}; "
            "fix the dataset's label mapping."
        )
    df["id"] = df["text"].map(example_id)
    conflicting = df.groupby("id")["label"].nunique()
    conflicting = conflicting[conflicting > 1].index
    if len(conflicting):
        log.warning("%s: dropping %d texts that occur with both labels", dataset, len(conflicting))
        df = df[~df["id"].isin(conflicting)]
    n_before = len(df)
    df = df.drop_duplicates("id", keep="first")
    if len(df) < n_before:
        log.info("%s: merged %d duplicate texts", dataset, n_before - len(df))
    df["group"] = df["group"].fillna(df["id"]).astype(str)
    df["label"] = df["label"].astype("int8")
    counts = df["label"].value_counts()
    if len(counts) < 2:
        only = int(counts.index[0]) if len(counts) else None
        raise DatasetError(
            f"dataset '{dataset}': every example has label {only}; a weak-to-strong experiment needs both classes. "
            "Check the label field and the binarisation of this dataset."
        )
    return df[["id", "text", "label", "group", *pair_cols]].reset_index(drop=True)



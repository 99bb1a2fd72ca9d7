"""Comparison pairs: the reward-modelling setting's data.

A pair is a prompt and two completions; its label is 1 when completion 1 is the preferred one. Which
side the preferred completion is shown on is drawn at random (one draw per pair, from the dataset's
seeded RNG), so the classes balance and a model cannot win by preferring a side. Pair datasets keep the
ordinary examples table (``text`` is the pair shown whole, for reading and for regimes that take one
text) and add three columns, ``prompt``, ``c1`` and ``c2``, that the reward model scores separately:
r(prompt, c) = head(features(prompt + completion)) and p(c1 preferred) = sigmoid(r1 − r2).
"""

from __future__ import annotations

import random

import pyarrow as pa

PAIR_COLUMNS = ("prompt", "c1", "c2")
SEPARATOR = "\n"  # between the prompt and a completion, in the text a reward model scores


def pair_example(prompt: str, chosen: str, rejected: str, rng: random.Random, group: str | None):
    """One example of a pair dataset: ``(text, label, group, (prompt, c1, c2))``; bad pairs raise ValueError
    (the builder's caller drops and counts them)."""
    prompt, chosen, rejected = str(prompt).strip(), str(chosen).strip(), str(rejected).strip()
    if not chosen or not rejected:
        raise ValueError("a pair with an empty completion")
    if chosen == rejected:
        raise ValueError("a pair with two identical completions")
    first_chosen = rng.random() < 0.5
    c1, c2 = (chosen, rejected) if first_chosen else (rejected, chosen)
    text = f"{prompt}\n<|Completion 1|> {c1}\n<|Completion 2|> {c2}\nQuestion: Is completion 1 the better one?"
    return text, int(first_chosen), group, (prompt, c1, c2)


def scored_texts(prompt: str, completion: str) -> str:
    """The text a reward model reads for one completion."""
    return f"{prompt}{SEPARATOR}{completion}" if prompt else completion


def is_pairs(df) -> bool:
    return all(c in df.columns for c in PAIR_COLUMNS)


def with_pair_columns(schema: pa.Schema, df) -> pa.Schema:
    """``schema`` plus the pair columns when ``df`` has them."""
    if not is_pairs(df):
        return schema
    for c in PAIR_COLUMNS:
        schema = schema.append(pa.field(c, pa.string()))
    return schema

"""From a declared source to the examples table (``examples.parquet``)."""

from __future__ import annotations

import logging
import random
from collections import Counter

import pandas as pd

from ..errors import DatasetError
from .examples import finalize_examples
from .local import load_local_pairs, load_local_records
from .near_duplicates import NEAR_DUPLICATE_THRESHOLD, merge_near_duplicates
from .pairs import PAIR_COLUMNS
from .registry import DatasetSpec, Filtered
from .sources import load_bigbench_records, load_hub_records, load_vader_records
from .splits import sample_pool

log = logging.getLogger(__name__)


def load_records(spec: DatasetSpec, raw_file: str | None = None, revision: str | None = None) -> list[dict]:
    if spec.source == "bigbench":
        return load_bigbench_records(raw_file)
    if spec.source == "vader":
        return load_vader_records(raw_file)  # checked against its pin there, on every read
    if spec.source == "hub":
        return load_hub_records(spec.hub_path, spec.hub_name, list(spec.hub_splits), revision=revision or spec.hub_revision,
                                data_dir=spec.hub_data_dir)
    if spec.source == "local":
        return load_local_pairs(**spec.extra) if spec.pairs else load_local_records(**spec.extra)
    raise ValueError(f"unknown source {spec.source!r}")


def build_examples(spec: DatasetSpec, records: list[dict], seed: int) -> pd.DataFrame:
    """Apply the dataset's builder to every record (one RNG, in record order: deterministic).

    A record the builder cannot read (a missing field, no label, an unlabelled split's −1) is
    dropped and counted, by reason; when every record is, the fields are wrong: an error says which."""
    rng = random.Random(seed)
    rows, bad, filtered = [], Counter(), Counter()
    for rec in records:
        try:
            for text, label, group, *pair in spec.build(rec, rng):
                rows.append({"text": text, "label": label, "group": group, **(dict(zip(PAIR_COLUMNS, pair[0])) if pair else {})})
        except Filtered as exc:
            filtered[str(exc)] += 1
        except KeyError as exc:
            bad[f"no field {exc}"] += 1
        except (TypeError, ValueError, IndexError) as exc:
            bad[str(exc) or type(exc).__name__] += 1
    if bad:
        reasons = ", ".join(f"{n} × {reason}" for reason, n in bad.most_common(5))
        if not rows:
            raise DatasetError(f"dataset '{spec.name}': no record of {len(records)} could be read ({reasons}); the source's fields "
                               f"do not match the registry entry (src/weak2strong/data/registry.py).")
        log.warning("%s: dropped %d of %d records that could not be read (%s)", spec.name, sum(bad.values()), len(records), reasons)
    if filtered:
        log.info("%s: left out %d records by the dataset's definition (%s)", spec.name, sum(filtered.values()),
                 ", ".join(f"{n} × {reason}" for reason, n in filtered.most_common()))
    log.info("%s: %d records -> %d binary examples", spec.name, len(records), len(rows))
    return finalize_examples(rows, spec.name)


def prepare_dataset(spec: DatasetSpec, seed: int, max_examples: int | None, raw_file: str | None = None,
                    near_duplicates: float | None = NEAR_DUPLICATE_THRESHOLD, revision: str | None = None) -> pd.DataFrame:
    """The balanced pool of examples for one dataset (every seed's split is drawn from it), with
    near-duplicate texts in one group (``near_duplicates``: the similarity threshold; None: off).
    ``revision`` pins a hub dataset to a commit, tag or branch."""
    return prepare_pool_and_unlabelled(spec, seed, max_examples, raw_file, near_duplicates, revision)[0]


def prepare_pool_and_unlabelled(spec: DatasetSpec, seed: int, max_examples: int | None, raw_file: str | None = None,
                                near_duplicates: float | None = NEAR_DUPLICATE_THRESHOLD,
                                revision: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``prepare_dataset``'s pool, and the dataset's texts that no split can ever use: examples outside
    the pool whose group has no example in it, without their labels (``id``, ``text`` and, for pairs,
    ``prompt, c1, c2``), in a seeded random order. Generative fine-tuning reads these."""
    records = load_records(spec, raw_file, revision)
    if spec.combine is not None:  # records -> the dataset's own records (e.g. pairs of sentences)
        records = spec.combine(records, random.Random(seed))
    examples = build_examples(spec, records, seed)
    pool = sample_pool(examples, max_examples, seed)
    pool["group"] = merge_near_duplicates(pool["group"].tolist(), pool["text"].tolist(), near_duplicates)
    log.info("%s: pool of %d balanced examples in %d groups", spec.name, len(pool), pool["group"].nunique())
    rest = examples[~examples["id"].isin(pool["id"]) & ~examples["group"].isin(set(examples.loc[examples["id"].isin(pool["id"]), "group"]))]
    rest = rest.sample(frac=1.0, random_state=seed)[["id", "text", *(c for c in PAIR_COLUMNS if c in rest.columns)]]
    log.info("%s: %d unlabelled texts outside the pool (for generative fine-tuning)", spec.name, len(rest))
    return pool, rest.reset_index(drop=True)

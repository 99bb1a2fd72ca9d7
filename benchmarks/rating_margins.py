"""How sure were the raters? For each rated-sentence set of the VADER study: the share of sentences
whose mean rating is exactly neutral, and among the others (the labelled ones) the share within 0.25
and 0.5 of neutral and the share whose sign is not significant across the 20 raters (a two-sided
t-test of the ratings against 0 at the 5% level, from the study's per-rater file). A label is the
sign of the mean, so these are the labels the raters themselves barely agree on
(``datasets.<name>.min_abs_rating`` leaves them out). For the pair sets: how many of the pairs the
dataset builds (``data_seed`` 0) put a positive sentence beside a negative one, which the sign alone
decides. Written to ``--out``; ``python -m weak2strong.readme_tables`` puts the table in
docs/datasets.md.

    python benchmarks/rating_margins.py [--archive resources/downloads/vaderSentiment-3.3.2.tar.gz]
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from weak2strong import assets  # noqa: E402
from weak2strong.data.registry import DATASETS  # noqa: E402
from weak2strong.data.sources import load_vader_records, ratings_by_text  # noqa: E402
from weak2strong.metrics import t_quantile  # noqa: E402


def read_rater_file(path: Path) -> pd.DataFrame:
    """The per-rater file: id, mean, standard deviation and the list of ratings, tab-separated. Each
    value is checked against what it means, as the workflow's reader checks the means: at least two
    ratings, each a whole number on the study's -4..4 scale, whose mean is the stated one."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        where = f"{path}, line {number}"
        if len(fields) != 4:
            raise SystemExit(f"{where}: {len(fields)} tab-separated fields, expected 4 (id, mean, sd, ratings)")
        try:
            ratings = np.asarray(ast.literal_eval(fields[3]), dtype=float).ravel()
            mean = float(fields[1])
        except (ValueError, SyntaxError, TypeError):
            raise SystemExit(f"{where}: the mean {fields[1]!r} or the ratings {fields[3][:40]!r} are not numbers") from None
        if len(ratings) < 2 or not np.isfinite(ratings).all() or (np.abs(ratings) > 4).any() or (ratings != np.round(ratings)).any():
            raise SystemExit(f"{where}: the ratings {fields[3][:60]} are not two or more whole numbers on the study's -4..4 scale")
        if abs(ratings.mean() - mean) > 0.01:
            raise SystemExit(f"{where}: the stated mean {mean} is not the ratings' mean {ratings.mean():.3f}")
        rows.append({"id": fields[0], "mean": mean, "ratings": ratings})
    return pd.DataFrame(rows)


def sign_not_significant(ratings: np.ndarray, level: float = 0.95) -> bool:
    """Whether a two-sided t-test cannot tell the mean of these ratings from 0."""
    n = len(ratings)
    sd = ratings.std(ddof=1)
    if sd == 0:
        return ratings.mean() == 0
    return abs(ratings.mean()) / (sd / np.sqrt(n)) < t_quantile(level, n - 1)


def margins(table: pd.DataFrame) -> dict:
    """The share of exactly neutral sentences (left out by every set's definition), then, among the
    labelled ones (mean ≠ 0), the shares near neutral and without a significant sign."""
    labelled = table[table["mean"] != 0]
    means = labelled["mean"].abs()
    return {"sentences": len(table), "neutral_share": float((table["mean"] == 0).mean()), "labelled": len(labelled),
            "below_0.25_share": float((means < 0.25).mean()), "below_0.5_share": float((means < 0.5).mean()),
            "not_significant_share": float(np.mean([sign_not_significant(r) for r in labelled["ratings"]]))}


def pair_margins(spec, records: list[dict], seed: int = 0) -> dict:
    """How many of the pairs ``spec`` builds (with the pool's seed) cross polarity."""
    rating = ratings_by_text(records)
    pairs = spec.combine(records, random.Random(seed))
    crossing = sum(rating[p["chosen"]] > 0 > rating[p["rejected"]] for p in pairs)
    return {"pairs": len(pairs), "opposite_sign_pairs": crossing, "opposite_sign_share": crossing / len(pairs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", default=f"resources/downloads/{assets.VADER_FILE}")
    ap.add_argument("--out", default="benchmarks/results/rating_margins.csv")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in sorted(DATASETS.items()):
            if spec.source != "vader" or spec.pairs:
                continue
            rater_file = spec.vader_file.replace("_GroundTruth.txt", "_anonDataRatings.txt")
            assets.extract_vader_file(Path(args.archive), rater_file, Path(tmp) / rater_file)
            rows.append({"dataset": name, **margins(read_rater_file(Path(tmp) / rater_file))})
        for name, spec in sorted(DATASETS.items()):
            if spec.source == "vader" and spec.pairs:
                assets.extract_vader_file(Path(args.archive), spec.vader_file, Path(tmp) / spec.vader_file)
                rows.append({"dataset": name, **pair_margins(spec, load_vader_records(Path(tmp) / spec.vader_file))})
    table = pd.DataFrame(rows)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4f")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()

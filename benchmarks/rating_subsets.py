"""Are the near-neutral sentences what holds a rated dataset back? For each rated-sentence
classification set of a finished run: every cell (weak → strong, loss) scored on the whole test set,
on its ``confident`` sentences (mean |rating| at least ``--margin``) and on its ``near_neutral`` ones:
weak, ceiling and student accuracy (means over seeds) and the PGR of means with Fieller's interval.

Beside a run with ``min_abs_rating`` (near-neutral sentences left out of the pool), the ``confident``
rows of a run without it are the control: the same kind of test sentences, with the near-neutral ones
still in training. Written to ``--out``; ``python -m weak2strong.readme_tables`` puts the table in
docs/results.md.

    python benchmarks/rating_subsets.py --results <run>/results --resources <run>/resources [--margin 0.25]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from weak2strong.data.sources import load_vader_records, ratings_by_text  # noqa: E402
from weak2strong.metrics import run_subset_rows  # noqa: E402

SUBSETS = ("all", "confident", "near_neutral")


def rated_file(texts: pd.Series, vader_dir: Path) -> dict[str, float] | None:
    """The ratings (text -> mean) of the rated file that holds every one of ``texts``; None if none does."""
    for path in sorted(vader_dir.glob("*_GroundTruth.txt")):
        rating = ratings_by_text(load_vader_records(path))
        if all(t.strip() in rating for t in texts):
            return rating
    return None


def rating_kind(examples: pd.DataFrame, rating: dict[str, float], margin: float) -> pd.Series:
    """``confident`` or ``near_neutral`` per example id."""
    means = examples["text"].map(lambda t: abs(rating[t.strip()])).to_numpy()
    return pd.Series(np.where(means >= margin, "confident", "near_neutral"), index=examples["id"].to_numpy())


def subsets_table(results: Path, resources: Path, margin: float, regime: str = "linear_probe") -> pd.DataFrame:
    rows = []
    for data in sorted((results / "data").iterdir()):
        examples = pd.read_parquet(data / "examples.parquet")
        if "c1" in examples.columns:
            continue  # pairs: benchmarks/pair_polarity.py
        rating = rated_file(examples["text"], resources / "vader")
        if rating is None:
            continue  # not a rated-sentence set
        kind = rating_kind(examples, rating, margin)
        pool = {"margin": margin, "pool_near_neutral_share": float((kind == "near_neutral").mean())}
        rows += [{"dataset": data.name, **pool, **row} for row in run_subset_rows(results, regime, data.name, kind, SUBSETS)]
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default="results")
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--margin", type=float, default=0.25)
    ap.add_argument("--regime", default="linear_probe")
    ap.add_argument("--out", default="benchmarks/results/rating_subsets.csv")
    args = ap.parse_args()
    table = subsets_table(Path(args.results), Path(args.resources), args.margin, args.regime)
    if table.empty:
        raise SystemExit(f"no rated-sentence dataset with students under {args.results}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4f")
    print(table[table["loss"].isin(["xent", "logconf"])].to_string(index=False))


if __name__ == "__main__":
    main()

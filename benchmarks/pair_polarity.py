"""Which judgement decides a pair? For the rated-sentence pair datasets of a finished run
(``movie_pairs``, ``movie_pairs_same_sign``): each pair is ``same_sign`` (both sentences rated
positive, or both negative: a graded judgement) or ``opposite_sign`` (one positive, one negative: the
sign alone decides it, which is the binary sentiment task again). Per (dataset, weak → strong, loss)
and subset of the test pairs (all, same_sign, opposite_sign): the weak, ceiling and student pairwise
accuracy (means over seeds) and the PGR of means with Fieller's interval, and the share of the pool's
pairs of each kind. Written to ``--out``; ``python -m weak2strong.readme_tables`` puts the headline
rows in docs/results.md.

    python benchmarks/pair_polarity.py --results <run>/results --resources <run>/resources
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from weak2strong.data.registry import DATASETS  # noqa: E402
from weak2strong.data.sources import load_vader_records, ratings_by_text  # noqa: E402
from weak2strong.metrics import run_subset_rows  # noqa: E402

SUBSETS = ("all", "same_sign", "opposite_sign")


def pair_polarity(examples: pd.DataFrame, rating: dict[str, float]) -> pd.Series:
    """``same_sign`` or ``opposite_sign`` per pair id, from the mean ratings of its two completions
    (``c1``, ``c2``); a completion without a rating is an error (the examples are not of these ratings)."""
    missing = [c for c in pd.concat([examples["c1"], examples["c2"]]) if c.strip() not in rating]
    if missing:
        raise SystemExit(f"{len(missing)} completions have no rating in the rated file, e.g. {missing[0][:60]!r}: "
                         "the examples were not built from these ratings")
    r1 = examples["c1"].map(lambda c: rating[c.strip()]).to_numpy()
    r2 = examples["c2"].map(lambda c: rating[c.strip()]).to_numpy()
    return pd.Series(np.where(r1 * r2 > 0, "same_sign", "opposite_sign"), index=examples["id"].to_numpy())


def polarity_table(results: Path, resources: Path, regime: str = "linear_probe") -> pd.DataFrame:
    rows = []
    for data in sorted((results / "data").iterdir()):
        spec = DATASETS.get(data.name)
        if spec is None or spec.source != "vader" or not spec.pairs:
            continue
        kind = pair_polarity(pd.read_parquet(data / "examples.parquet"),
                             ratings_by_text(load_vader_records(resources / "vader" / spec.vader_file)))
        pool = {"pool_pairs": len(kind), "pool_opposite_share": float((kind == "opposite_sign").mean())}
        rows += [{"dataset": data.name, **pool, **row} for row in run_subset_rows(results, regime, data.name, kind, SUBSETS)]
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default="results")
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--regime", default="linear_probe")
    ap.add_argument("--out", default="benchmarks/results/pair_polarity.csv")
    args = ap.parse_args()
    table = polarity_table(Path(args.results), Path(args.resources), args.regime)
    if table.empty:
        raise SystemExit(f"no rated pair dataset with students under {args.results}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4f")
    print(table[table["loss"].isin(["xent", "logconf"])].to_string(index=False))


if __name__ == "__main__":
    main()

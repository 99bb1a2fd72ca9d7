"""Is model-defined difficulty human ambiguity? For the VADER datasets of a finished run: each
difficulty level's mean and median |mean rating| (0 = the 20 raters were neutral on average, 4 = all
extremely sure), from ``results/difficulty/<dataset>.parquet`` joined with the rated sentences.
Written to ``--out``; ``python -m weak2strong.readme_tables`` puts it, with its reading per dataset,
in docs/results.md.

    python benchmarks/difficulty_vs_rating.py [--results results] [--resources resources]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from weak2strong.data.registry import DATASETS  # noqa: E402
from weak2strong.data.sources import load_vader_records  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default="results")
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--out", default="benchmarks/results/difficulty_vs_rating.csv")
    args = ap.parse_args()
    rows = []
    for path in sorted(Path(args.results, "difficulty").glob("*.parquet")):
        spec = DATASETS.get(path.stem)
        if spec is None or spec.source != "vader":
            continue
        difficulty = pd.read_parquet(path)
        texts = pd.read_parquet(Path(args.results, "data", path.stem, "examples.parquet"))[["id", "text"]]
        ratings = pd.DataFrame(load_vader_records(Path(args.resources, "vader", spec.vader_file)))
        ratings = ratings.assign(abs_rating=ratings["rating"].abs()).drop_duplicates("text")[["text", "abs_rating"]]
        table = difficulty.merge(texts, on="id").merge(ratings, on="text", how="left")
        summary = table.groupby("difficulty")["abs_rating"].agg(["count", "mean", "median"]).round(2)
        order = table.drop_duplicates("difficulty").sort_values("difficulty_rank")["difficulty"]
        summary = summary.loc[list(order)]
        print(f"{path.stem}: |mean rating| by difficulty (easiest first)\n{summary.to_string()}\n")
        rows += [{"dataset": path.stem, "difficulty": level, "rank": k, "n": int(r["count"]), "mean_abs_rating": r["mean"],
                  "median_abs_rating": r["median"]} for k, (level, r) in enumerate(summary.iterrows())]
    if rows:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()

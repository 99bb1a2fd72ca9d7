"""The reward-modelling family's generated blocks of the docs: ``reward`` (the comparison datasets' rows of
summary.csv, the table and what it shows) and ``reward_polarity`` (the headline pair's cells on test pairs
the sign alone decides and on the others: ``benchmarks/pair_polarity.py``'s rows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...table_text import pgr_readings, read_summary, subset_table, summary_table
from .. import FamilyTables


def reward_polarity_table(table: pd.DataFrame, pair: tuple[str, str], losses=("xent", "logconf")) -> str:
    """``benchmarks/pair_polarity.py``'s rows for one weak → strong pair: per dataset, loss and subset
    of the test pairs (all, same sign, opposite sign), its share, the three accuracies and the PGR of
    means with Fieller's interval; a closing line per dataset states the pool's share of pairs the
    sign alone decides."""
    rows = table[(table["weak"] == pair[0]) & (table["strong"] == pair[1]) & table["loss"].isin(losses)]
    lines = subset_table(rows, "test pairs", {"all": "all", "same_sign": "same sign", "opposite_sign": "opposite sign"})
    lines.append("")
    pools = table.drop_duplicates("dataset")
    lines.append(f"{pair[0]} → {pair[1]}, mean over seeds. Pairs whose two sentences are rated on opposite sides of neutral "
                 "(the sign alone decides them): " + "; ".join(
                     f"{100 * r['pool_opposite_share']:.0f}% of `{r['dataset']}`'s pool of {r['pool_pairs']:,} pairs"
                     for _, r in pools.iterrows()) + ".")
    return "\n".join(lines)


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None, headline_pair=None) -> dict[str, str]:
    out = {}
    if rows is not None and headline_pair and (rows / "pair_polarity.csv").exists():  # benchmarks/pair_polarity.py
        out["reward_polarity"] = reward_polarity_table(pd.read_csv(rows / "pair_polarity.csv", keep_default_na=True), headline_pair)
    if not (results / "metrics/summary.csv").exists():
        return out
    summary = read_summary(results)
    pairs = summary[(summary["supervisor"] == "trained") & (summary["task"] == "pairs")]
    if not pairs.empty:
        out["reward"] = (summary_table(pairs) + "\n\nWhat the table shows (each direction only where an interval is clear of 0):\n\n"
                         + pgr_readings(pairs))
    return out


TABLES = FamilyTables(blocks, results_blocks=("reward",), metric_files=("summary.csv",))

"""The reward-modelling family's generated block of the docs: ``reward`` (the comparison datasets' rows of
summary.csv, the table and what it shows)."""

from __future__ import annotations

from pathlib import Path

from ...table_text import pgr_readings, read_summary, summary_table
from .. import FamilyTables


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None) -> dict[str, str]:
    if not (results / "metrics/summary.csv").exists():
        return {}
    summary = read_summary(results)
    pairs = summary[(summary["supervisor"] == "trained") & (summary["task"] == "pairs")]
    if pairs.empty:
        return {}
    return {"reward": summary_table(pairs) + "\n\nWhat the table shows (each direction only where an interval is clear of 0):\n\n"
            + pgr_readings(pairs)}


TABLES = FamilyTables(blocks, results_blocks=("reward",), metric_files=("summary.csv",))

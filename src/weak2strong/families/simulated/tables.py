"""The simulated supervisors' generated block of the docs: ``simulated`` (their rows of summary.csv), the
table and what it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ...table_text import compare_pgr, num, pgr_cell, read_summary
from .. import FamilyTables
from .plan import KINDS


def simulated_table(simulated: pd.DataFrame, first: str | None = None) -> str:
    """Simulated supervisors (``supervisor`` = their kind), rows at matched accuracy side by side:
    per (dataset, loss, supervisor), the supervisor's and the student's test accuracy and PGR
    (dataset ``first`` first)."""
    kinds = {kind: k for k, kind in enumerate(KINDS)}
    rows = simulated.assign(order=simulated["supervisor"].map(kinds), group=simulated["weak"].str.rsplit("_", n=1).str[-1],
                            later=simulated["dataset"] != first)
    rows = rows.sort_values(["later", "dataset", "loss", "group", "order"],
                            key=lambda c: c.map(_natural) if c.name == "group" else c)
    lines = ["| dataset | loss | supervisor | supervisor acc | student acc | ceiling acc | PGR of means [95% CI] | flags |",
             "|---|---|---|---|---|---|---|---|"]
    for _, r in rows.iterrows():
        pgr = pgr_cell(r)
        flag = r["flag"] if isinstance(r.get("flag"), str) and r["flag"] else "—"
        lines.append(f"| {r['dataset']} | {r['loss']} | {r['weak']} | {r['weak_acc_mean']:.3f} | {r['student_acc_mean']:.3f} | "
                     f"{r['ceiling_acc_mean']:.3f} | {pgr} | {flag} |")
    return "\n".join(lines)


def simulated_readings(simulated: pd.DataFrame) -> str:
    """Per dataset, loss and matched group (k): random flips against the probe's systematic errors,
    and length flips against random flips, each comparison decided by the PGR intervals."""
    out = []
    rows = simulated.assign(group=simulated["weak"].str.rsplit("_", n=1).str[-1])
    for (dataset, loss, group), g in rows.groupby(["dataset", "loss", "group"], sort=False):
        by = g.set_index("supervisor")
        parts = []
        for a, b, name_a, name_b in (("random_noise", "feature_subset", "random flips", "the probe"),
                                     ("length_flips", "random_noise", "length flips", "random flips"),
                                     ("length_bias", "random_noise", "the length bias", "random flips")):
            if a in by.index and b in by.index:
                parts.append(f"{name_a} {num(by.loc[a, 'pgr_of_means'])} against {name_b} {num(by.loc[b, 'pgr_of_means'])}: "
                             + compare_pgr(by.loc[a], by.loc[b], name_a, name_b))
        if parts:
            out.append(f"- `{dataset}`, `{loss}`, {group}: " + "; ".join(parts) + ".")
    return "\n".join(out)


def _natural(group: str):
    """k4 before k64, rate0.1 before rate0.3: the number after the prefix."""
    match = re.match(r"([a-z]+)([0-9.]+)$", group)
    return (match.group(1), float(match.group(2))) if match else (group, 0.0)


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None, headline_pair=None) -> dict[str, str]:
    if not (results / "metrics/summary.csv").exists():
        return {}
    summary = read_summary(results)
    simulated = summary[summary["supervisor"].isin(KINDS)]
    if simulated.empty:
        return {}
    return {"simulated": simulated_table(simulated, first=headline_dataset) + "\n\nWhat the table shows (PGR of means; a direction "
            "only where the intervals are apart):\n\n" + simulated_readings(simulated)}


TABLES = FamilyTables(blocks, results_blocks=("simulated",), metric_files=("summary.csv",))

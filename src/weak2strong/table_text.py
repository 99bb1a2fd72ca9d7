"""Numbers as the docs' generated tables write them: a value, an interval with its seed count or the
reason it has none, a cell's PGR of means with Fieller's interval, two cells' PGR intervals read
against each other, and where an interval lies against a value; the summary's cells as a table and
their PGR read; a table of cells on parts of the test set. Shared by the core's tables
(readme_tables.py) and each family's (its tables.py)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

MINUS = "−"


def num(x: float, digits: int = 2, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    return text.replace("-", MINUS)


def interval(point: float, low: float, high: float, n: int, status: str = "", digits: int = 2, signed: bool = False) -> str:
    """"0.42 [0.31, 0.53]" with its seed count, or the reason there is no interval."""
    if isinstance(point, float) and math.isnan(point):
        return f"undefined ({status or 'no value'})"
    if isinstance(low, float) and math.isnan(low):
        return f"{num(point, digits, signed)} (no CI: {status or 'one seed'}; n={n})"
    return f"{num(point, digits, signed)} [{num(low, digits, signed)}, {num(high, digits, signed)}] (n={n})"


def pgr_status(r) -> str:
    """Why a cell's PGR of means has no interval; "" when it has one (an empty status reads back from
    a CSV as NaN)."""
    status = r.get("pgr_of_means_ci_status", "")
    return status if isinstance(status, str) else ""


def pgr_cell(r) -> str:
    """A cell's PGR of means with Fieller's interval, or the reason it has none."""
    return interval(r["pgr_of_means"], r["pgr_of_means_ci_low"], r["pgr_of_means_ci_high"], int(r["n_seeds"]), pgr_status(r))


def compare_pgr(a, b, name_a: str, name_b: str) -> str:
    """Two cells' PGR intervals: which is higher where they are apart, else that they overlap."""
    undefined = [n for n, r in ((name_a, a), (name_b, b)) if pgr_status(r)]
    if undefined:
        return f"no comparison ({', '.join(undefined)}: no interval)"
    if a["pgr_of_means_ci_low"] > b["pgr_of_means_ci_high"]:
        return f"{name_a} higher, the intervals apart"
    if b["pgr_of_means_ci_low"] > a["pgr_of_means_ci_high"]:
        return f"{name_b} higher, the intervals apart"
    return "the intervals overlap (no claim)"


def read_summary(results):
    """``results/metrics/summary.csv`` as the tables read it: a PGR interval's empty status as "", and
    ``task`` (classification) where the results are older than reward modelling."""
    import pandas as pd

    summary = pd.read_csv(results / "metrics/summary.csv", keep_default_na=True)
    summary["pgr_of_means_ci_status"] = summary["pgr_of_means_ci_status"].astype(object).fillna("")
    if "task" not in summary:
        summary["task"] = "classification"
    return summary


def versus(low: float, high: float, value: float, above: str = "above", below: str = "below", level: str = "level with") -> str:
    """Where an interval [low, high] lies against a value: its direction only when clear of it."""
    return above if low > value else below if high < value else level


def interval_reading(r) -> str:
    """Where a cell's PGR interval lies: above 0, spanning it, or undefined (and why)."""
    status = pgr_status(r)
    if status:
        return f"no interval ({status})"
    return versus(r["pgr_of_means_ci_low"], r["pgr_of_means_ci_high"], 0.0, "above 0", "below 0", "spanning 0")


def summary_table(summary: pd.DataFrame, losses=("xent", "logconf"), first: str | None = None) -> str:
    """One row per (dataset, weak, strong, loss) for the given methods (dataset ``first`` first)."""
    rows = summary[summary["loss"].isin(losses)].copy()
    datasets = list(dict.fromkeys(summary["dataset"]))
    order = {d: (d != first, i) for i, d in enumerate(datasets)}
    rows = rows.sort_values(["dataset", "weak", "strong", "loss"], key=lambda c: c.map(order) if c.name == "dataset" else c)
    lines = ["| dataset | weak → strong | loss | weak acc | ceiling acc | student acc | PGR of means [95% CI] | "
             "median per-seed PGR | agreement where W wrong | weak-label confidence | flags |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in rows.iterrows():
        pgr = pgr_cell(r)
        median = f"{num(r['pgr_median'])} ({int(r['pgr_n'])} of {int(r['n_seeds'])} seeds)"
        flag = r["flag"] if isinstance(r.get("flag"), str) and r["flag"] else "—"
        lines.append(f"| {r['dataset']} | {r['weak']} → {r['strong']} | {r['loss']} | {r['weak_acc_mean']:.3f} | "
                     f"{r['ceiling_acc_mean']:.3f} | {r['student_acc_mean']:.3f} | {pgr} | {median} | "
                     f"{num(r['agreement_weak_wrong_mean'])} | {num(r['weak_confidence_mean'])} | {flag} |")
    return "\n".join(lines)


def pgr_readings(summary: pd.DataFrame, losses=("xent", "logconf")) -> str:
    """Per dataset and (weak, strong) pair: the gap, each method's PGR with where its interval lies,
    and which method is higher where their intervals are apart (``compare_pgr``; else no claim)."""
    out = []
    rows = summary[summary["loss"].isin(losses)]
    for (dataset, weak, strong), g in rows.groupby(["dataset", "weak", "strong"], sort=False):
        by = g.set_index("loss")
        if not set(losses) <= set(by.index):
            continue
        first = by.iloc[0]
        parts = [f"`{loss}` {num(by.loc[loss, 'pgr_of_means'])} ({interval_reading(by.loc[loss])})" for loss in losses]
        verdict = compare_pgr(by.loc[losses[0]], by.loc[losses[1]], f"`{losses[0]}`", f"`{losses[1]}`")
        out.append(f"- `{dataset}`, {weak} → {strong}: gap {num(100 * (first['ceiling_acc_mean'] - first['weak_acc_mean']), 1)} "
                   f"points; PGR {', '.join(parts)}; {verdict}.")
    return "\n".join(out)


def subset_table(rows: pd.DataFrame, unit: str, names: dict[str, str]) -> list[str]:
    """The lines of a table of ``metrics.subset_rows`` rows: per dataset, loss and part of the test set
    (``names``: how each part is written), its share, the three accuracies and the PGR of means."""
    lines = [f"| dataset | loss | {unit} | share | weak acc | ceiling acc | student acc | PGR of means [95% CI] |",
             "|---|---|---|---|---|---|---|---|"]
    for _, r in rows.iterrows():
        lines.append(f"| {r['dataset']} | {r['loss']} | {names[r['subset']]} | {r['test_share']:.2f} | {num(r['weak_acc_mean'], 3)} "
                     f"| {num(r['ceiling_acc_mean'], 3)} | {num(r['student_acc_mean'], 3)} | {pgr_cell(r)} |")
    return lines

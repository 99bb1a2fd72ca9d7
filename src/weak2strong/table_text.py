"""Numbers as the docs' generated tables write them: a value, an interval with its seed count or the
reason it has none, a cell's PGR of means with Fieller's interval, two cells' PGR intervals read
against each other, and where an interval lies against a value. Shared by the core's tables
(readme_tables.py) and each family's (its tables.py)."""

from __future__ import annotations

import math

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

"""The largest change in any number of the default's result tables between two runs (before/after a
change that may move the last bits): summary.csv, methods.csv and easy_to_hard.csv, cell by cell.

    python benchmarks/compare_tables.py RUN_BEFORE RUN_AFTER [--tolerance 0.001]

Exits 1 when a table's rows or columns differ, or a number moved by the tolerance or more.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TABLES = ("summary.csv", "methods.csv", "easy_to_hard.csv")


def largest_change(before: pd.DataFrame, after: pd.DataFrame) -> tuple[float, str]:
    if list(before.columns) != list(after.columns) or before.shape != after.shape:
        raise ValueError(f"the tables differ in shape or columns: {before.shape} {after.shape}")
    worst, where = 0.0, ""
    for column in before.columns:
        a, b = before[column], after[column]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            both = a.notna() & b.notna()
            if (a.isna() != b.isna()).any():
                raise ValueError(f"{column}: a number is missing in one run only")
            diff = np.abs(a[both].to_numpy(float) - b[both].to_numpy(float))
            if len(diff) and diff.max() > worst:
                worst, where = float(diff.max()), f"{column}, row {int(np.argmax(diff))}"
        elif not a.fillna("").astype(str).equals(b.fillna("").astype(str)):
            raise ValueError(f"{column}: the text cells differ")
    return worst, where


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--tolerance", type=float, default=0.001)
    args = ap.parse_args()
    bad = False
    for name in TABLES:
        a, b = (pd.read_csv(run / "results/metrics" / name) for run in (args.before, args.after))
        identical = (args.before / "results/metrics" / name).read_bytes() == (args.after / "results/metrics" / name).read_bytes()
        worst, where = largest_change(a, b)
        print(f"{name}: {a.shape[0]} rows, {'byte-identical' if identical else f'largest change {worst:.2e} ({where})'}")
        bad |= worst >= args.tolerance
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Load every hub dataset of the registry the way the workflow does, and report what came back.

    python -m weak2strong.check_hub                    # every hub dataset (a connected machine)
    python -m weak2strong.check_hub boolq ethics_virtue --out benchmarks/out/hub_check.csv

For each: the repository, revision and config it loads, the rows of each split, the binary examples
the registry's builder made of them and their share of positives, the balanced pool, and the commit
the revision resolved to. A dataset that fails is reported with its error and the others go on; the
exit status is 1 if any failed. The table (``--out``) is what ``make readme`` renders in the
README's hub-dataset table. Offline, ``W2S_HUB_MIRROR`` points at local snapshots (data/sources.py).
"""

from __future__ import annotations

import argparse
import datetime
import logging
import sys
from collections import Counter
from pathlib import Path

COLUMNS = ["dataset", "hub_id", "revision", "config", "status", "rows_per_split", "examples", "positive_share",
           "balanced_pool", "commit", "checked_at"]


def check(name: str) -> dict:
    """One dataset's row of the table."""
    import os

    from .data.prepare import build_examples, load_records
    from .data.registry import DATASETS
    from .data.sources import HUB_MIRROR_ENV, resolved_revision
    from .data.splits import sample_pool

    spec = DATASETS[name]
    row = {"dataset": name, "hub_id": spec.hub_path, "revision": spec.hub_revision or "main",
           "config": spec.hub_name or (f"data_dir={spec.hub_data_dir}" if spec.hub_data_dir else "default"),
           "checked_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")}
    try:
        records = load_records(spec)
        splits = Counter(r["_hf_split"] for r in records)
        examples = build_examples(spec, records, seed=0)
        pool = sample_pool(examples, None, seed=0)
    except Exception as exc:  # a report: every dataset is tried, each failure said
        return {**row, "status": f"failed: {type(exc).__name__}: {exc}"[:600]}
    mirror = os.environ.get(HUB_MIRROR_ENV)
    return {**row, "status": "ok", "rows_per_split": "; ".join(f"{s} {splits[s]:,}" for s in spec.hub_splits),
            "examples": len(examples), "positive_share": round(float(examples["label"].mean()), 4),
            "balanced_pool": len(pool),
            "commit": f"mirror {mirror}" if mirror else resolved_revision(spec.hub_path, spec.hub_revision)}


def main(argv: list[str] | None = None) -> int:
    from .data.registry import DATASETS

    hub = sorted(n for n, s in DATASETS.items() if s.source == "hub")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", help=f"hub datasets (default: all {len(hub)})")
    parser.add_argument("--out", default="benchmarks/out/hub_check.csv", help="the table to write (CSV)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.datasets) - set(hub))
    if unknown:
        parser.error(f"not hub datasets of the registry: {unknown} (they are: {', '.join(hub)})")
    out = Path(args.out)  # checked before loading anything: a bad --out would fail only after every download
    if out.is_dir() or not out.name.endswith(".csv"):
        parser.error(f"--out {args.out}: the table is a CSV file (a path ending in .csv), not {'a folder' if out.is_dir() else 'that'}")
    if out.parent.exists() and not out.parent.is_dir():
        parser.error(f"--out {args.out}: {out.parent} is a file, so the table cannot be written in it")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import pandas as pd

    rows = []
    for name in args.datasets or hub:
        row = check(name)
        rows.append(row)
        detail = row["rows_per_split"] if row["status"] == "ok" else row["status"]
        print(f"{name:<24} {row['hub_id']} @ {row['revision']} ({row['config']}): {detail}", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=COLUMNS).to_csv(out, index=False)
    failed = [r["dataset"] for r in rows if r["status"] != "ok"]
    print(f"{len(rows) - len(failed)} of {len(rows)} loaded; table in {out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

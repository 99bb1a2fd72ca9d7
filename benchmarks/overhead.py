"""Share of a finished run's job time spent in model compute versus everything else.

Model compute = the seconds each job logs as "model compute" (feature extraction, probe or
fine-tuning steps, prediction). Job time = the seconds Snakemake's `benchmark:` files record per job
(Python start-up, imports, I/O included). Jobs without a benchmark file (fetching, splits, metrics,
figures) count as overhead through the wall time.
"""

import argparse
import csv
import re
from pathlib import Path


def main(root: Path, wall: float | None, cores: int) -> None:
    compute = sum(float(m) for log in root.glob("logs/**/*.log")
                  for m in re.findall(r"model compute: ([\d.]+) s", log.read_text(errors="replace")))
    job_seconds = 0.0
    n_jobs = 0
    for tsv in root.glob("benchmarks/out/**/*.tsv"):
        rows = list(csv.DictReader(tsv.open(), delimiter="\t"))
        if rows:
            job_seconds += float(rows[-1]["s"])
            n_jobs += 1
    print(f"benchmarked jobs: {n_jobs}, their time: {job_seconds:.1f} s, model compute inside them: {compute:.1f} s")
    print(f"outside model compute, within those jobs: {100 * (1 - compute / job_seconds):.1f}%")
    if wall:
        print(f"wall {wall:.0f} s x {cores} cores = {wall * cores:.0f} core-s; model compute is "
              f"{100 * compute / (wall * cores):.1f}% of it, so {100 * (1 - compute / (wall * cores)):.1f}% is spent outside model compute")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--wall-seconds", type=float)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    main(args.root, args.wall_seconds, args.cores)

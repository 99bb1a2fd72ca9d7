"""One workflow job, alone, timed with two versions of the package: the per-job cost before and after a
change, measured in one run on one machine, the versions alternated.

    python benchmarks/job_alone.py RUN_DIR TARGET before=/path/old/src after=src [--rounds 3]

RUN_DIR is a finished run (a clone with its `.venv` and `results/`); TARGET one output of the job to
time (e.g. a student's predictions, or results/metrics/summary.csv). Snakemake reruns that job once
and keeps the script it wrote (`--skip-script-cleanup`); that script, the job exactly as the workflow
runs it, is then timed from a fresh interpreter with each `src` folder first on the path, in turn.
The job's outputs are rewritten each time (with the same content when the versions compute the same).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def job_script(run_dir: Path, target: str) -> Path:
    scripts = run_dir / ".snakemake/scripts"
    before = set(scripts.glob("*.py")) if scripts.exists() else set()
    subprocess.run([str(run_dir / ".venv/bin/snakemake"), "--cores", "1", "--forcerun", target, "--until", target,
                    "--skip-script-cleanup", "--quiet", "all"], cwd=run_dir, check=True, capture_output=True)
    new = sorted(set(scripts.glob("*.py")) - before, key=lambda p: p.stat().st_mtime)
    if not new:
        raise SystemExit(f"Snakemake kept no script for {target}: is it the output of a `script:` rule?")
    return new[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("target")
    ap.add_argument("versions", nargs="+", help="NAME=SRC_FOLDER, timed in this order each round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    run_dir = args.run_dir.resolve()
    versions = [v.split("=", 1) for v in args.versions]
    script = job_script(run_dir, args.target)
    python = str(run_dir / ".venv/bin/python")
    seconds: dict[str, list[float]] = {name: [] for name, _ in versions}
    for _ in range(args.rounds):
        for name, src in versions:
            env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
            start = time.perf_counter()
            subprocess.run([python, str(script)], cwd=run_dir, env=env, check=True, capture_output=True)
            seconds[name].append(time.perf_counter() - start)
    for name, values in seconds.items():
        print(f"{name}: median {statistics.median(values):.2f} s over {len(values)} runs "
              f"({', '.join(f'{v:.2f}' for v in values)})", file=sys.stdout)


if __name__ == "__main__":
    main()

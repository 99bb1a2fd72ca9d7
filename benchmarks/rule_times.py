"""Where a finished run's time went, per rule, read from Snakemake's own log of the run.

    python benchmarks/rule_times.py [RUN_DIR] [--log FILE] [--markdown]
    python benchmarks/rule_times.py --compare BEFORE_DIR AFTER_DIR     # a markdown table of both runs

Each job's seconds run from the line that starts it to its `Finished jobid` line (Snakemake stamps
both to the second), so they include the job's Python start-up and imports, which `benchmark:` files
also count, and Snakemake's own bookkeeping around it. Works on any run of any commit: it needs
nothing but `.snakemake/log/`: the log of the run that finished the most jobs, unless `--log` names one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
START = re.compile(r"^(?:local)?(?:checkpoint|rule) (\w+):$")
JOBID = re.compile(r"^\s+jobid: (\d+)$")
FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$")


def job_times(log: Path) -> tuple[dict[int, tuple[str, float]], float]:
    """{jobid: (rule, seconds)} of every finished job, and the run's wall seconds (first to last stamp)."""
    stamp = first = None
    started: dict[int, tuple[str, dt.datetime]] = {}
    finished: dict[int, tuple[str, float]] = {}
    pending_rule = None
    for line in log.read_text(errors="replace").splitlines():
        if m := STAMP.match(line):
            stamp = dt.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y")
            first = first or stamp
        elif m := START.match(line):
            pending_rule = (m.group(1), stamp)
        elif (m := JOBID.match(line)) and pending_rule:
            started[int(m.group(1))] = pending_rule
            pending_rule = None
        elif m := FINISHED.match(line):
            jobid = int(m.group(1))
            rule, begun = started.get(jobid, (m.group(2), stamp))
            finished[jobid] = (rule, (stamp - begun).total_seconds())
    wall = (stamp - first).total_seconds() if stamp and first else 0.0
    return finished, wall


def per_rule(finished: dict[int, tuple[str, float]]) -> list[tuple[str, int, float]]:
    """(rule, jobs, job-seconds summed), the costliest rule first."""
    jobs: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    for rule, s in finished.values():
        jobs[rule] += 1
        seconds[rule] += s
    return sorted(((r, jobs[r], seconds[r]) for r in jobs), key=lambda row: -row[2])


def main_log(run_dir: Path) -> Path:
    """The log of the folder's run that finished the most jobs (later reruns of single jobs, e.g. by
    job_alone.py, leave their own small logs), the newest of equals."""
    logs = sorted((run_dir / ".snakemake/log").glob("*.snakemake.log"), key=lambda p: p.name)
    return max(reversed(logs), key=lambda p: p.read_text(errors="replace").count("Finished jobid"))


def comparison(before: Path, after: Path) -> str:
    """Per rule, jobs and job-seconds of two runs (e.g. a fresh-clone default before and after a change)."""
    runs = [job_times(main_log(d)) for d in (before, after)]
    tables = [{rule: (n, s) for rule, n, s in per_rule(finished)} for finished, _ in runs]
    rules = sorted(set(tables[0]) | set(tables[1]), key=lambda r: -tables[0].get(r, (0, 0.0))[1])
    lines = ["| rule | jobs before / after | job-seconds before | after | per job before | after |", "|---|---|---|---|---|---|"]
    for rule in rules:
        (n0, s0), (n1, s1) = tables[0].get(rule, (0, 0.0)), tables[1].get(rule, (0, 0.0))
        lines.append(f"| `{rule}` | {n0} / {n1} | {s0:,.0f} | {s1:,.0f} | {s0 / max(n0, 1):.1f} | {s1 / max(n1, 1):.1f} |")
    totals = [(len(f), sum(s for _, s in f.values()), w) for f, w in runs]
    lines.append(f"| all jobs | {totals[0][0]} / {totals[1][0]} | {totals[0][1]:,.0f} | {totals[1][1]:,.0f} | | |")
    lines.append(f"| workflow wall time | | {totals[0][2]:,.0f} s | {totals[1][2]:,.0f} s | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", nargs="?", type=Path, default=Path("."))
    ap.add_argument("--log", type=Path, help="a Snakemake log file (default: the run that finished the most jobs)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE_DIR", "AFTER_DIR"))
    args = ap.parse_args()
    if args.compare:
        print(comparison(*args.compare))
        return
    log = args.log or main_log(args.run_dir)
    finished, wall = job_times(log)
    rows = per_rule(finished)
    total = sum(s for _, _, s in rows)
    if args.markdown:
        print("| rule | jobs | job-seconds | mean per job |\n|---|---|---|---|")
        for rule, n, s in rows:
            print(f"| `{rule}` | {n} | {s:,.0f} | {s / n:.1f} |")
        print(f"| all | {len(finished)} | {total:,.0f} | wall {wall:,.0f} s |")
    else:
        print(f"{log}: {len(finished)} jobs, {total:.0f} job-seconds in {wall:.0f} s of wall time")
        for rule, n, s in rows:
            print(f"  {rule:<24} {n:>4} jobs {s:>8.0f} s  ({s / n:.1f} s per job)")


if __name__ == "__main__":
    main()

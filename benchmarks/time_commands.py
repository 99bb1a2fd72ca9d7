"""How long the README's commands take a new user: each one run in a fresh clone of the current
commit, timed from the clone to the end, on this machine, alone.

    python benchmarks/time_commands.py "make run" "CI=true bash .ci/run"

Appends one row per command to benchmarks/results/timings.jsonl (command, seconds, exit status, the
machine in words, date, commit); `make readme` writes the quick start's times from it. The clone's
pip cache is the machine's (downloads of packages already fetched once are not timed again); models
and data are fetched anew into the clone's own `resources/`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """The CPU model, its cores, memory, and whether it has native bf16 matrix units (the default's
    precision depends on it)."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
        bf16 = any(f in flags.split() for f in ("avx512_bf16", "amx_bf16"))
        mem = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        return f"{model}, {os.cpu_count()} cores, {mem / 2**20:.0f} GiB, {'native' if bf16 else 'no native'} bf16, no GPU"
    except (OSError, StopIteration):
        return f"{model}, {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("commands", nargs="+")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/timings.jsonl"))
    ap.add_argument("--note", default="", help="a remark stored with every row (e.g. what else ran)")
    ap.add_argument("--keep", default=None, help="clone into this folder (new) and keep it, e.g. to read a run's results; one command")
    ap.add_argument("--commit", default="HEAD", help="the commit to clone (default: the current one), e.g. to time a 'before'")
    ap.add_argument("--baseline", action="store_true",
                    help="mark the rows as a before-measurement: kept in the file, never the README's quick-start times")
    args = ap.parse_args()
    if args.keep and len(args.commands) > 1:
        ap.error("--keep takes one command")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.commit], capture_output=True, text=True, check=True).stdout.strip()
    for command in args.commands:
        with (contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory(prefix="w2s-fresh-")) as tmp:
            start = time.perf_counter()
            subprocess.run(["git", "clone", "--quiet", str(ROOT), tmp], check=True)
            subprocess.run(["git", "-C", tmp, "checkout", "--quiet", commit], check=True)
            log = Path(tmp) / "time_commands.log"
            with open(log, "w") as fh:
                rc = subprocess.run(command, shell=True, cwd=tmp, stdout=fh, stderr=subprocess.STDOUT).returncode
            seconds = time.perf_counter() - start
            tail = log.read_text()[-2000:]
            # pytest's own summary ("493 passed in 512.3s"), the suite's time without the install
            summary = next((line.strip("= ") for line in reversed(tail.splitlines()) if " passed" in line and " in " in line), None)
        row = {"command": command, "seconds": round(seconds, 1), "rc": rc, "machine": machine(),
               "date": datetime.date.today().isoformat(), "commit": commit, "note": args.note}
        if summary:
            row["pytest"] = summary
        if args.baseline:
            row["baseline"] = True
        print(json.dumps(row), flush=True)
        if rc != 0:
            print(tail)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "a") as fh:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()

"""Two `dag_jobs.py` dumps compared job by job: the same jobs (rule, wildcards, outputs) before and
after, and every difference in their params, each either a training option filled with the schema's
default (absent before, the default of `$defs/train*` after) or listed as it is.

    python benchmarks/dag_compare.py /tmp/dag_before /tmp/dag_after
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ABSENT = "<absent>"


def jobs(path: Path) -> dict[tuple, dict]:
    out = {}
    for line in path.read_text().splitlines():
        job = json.loads(line)
        out[(job["rule"], json.dumps(job.get("wildcards"), sort_keys=True), json.dumps(job.get("output"), sort_keys=True))] = job
    return out


def differences(a, b, path: str = ""):
    """(path, before, after) for every leaf that differs; lists of one length compared element by element."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from differences(a.get(key, ABSENT), b.get(key, ABSENT), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for x, y in zip(a, b):
            yield from differences(x, y, f"{path}[]")
    elif a != b:
        yield path, a, b


def training_defaults() -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from weak2strong.config_schema import option_defaults

    return {**option_defaults("train"), **option_defaults("train_lora", "train"), **option_defaults("train_lp_ft", "train")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args()
    defaults = training_defaults()
    for dump in sorted(args.before.glob("*.jsonl")):
        before, after = jobs(dump), jobs(args.after / dump.name)
        filled, other, changed = Counter(), Counter(), 0
        for key, job in before.items():
            if key not in after:
                continue
            for field in set(job) | set(after[key]):
                if field != "params" and job.get(field) != after[key].get(field):
                    other[(job["rule"], field)] += 1
            found = list(differences(job.get("params", {}), after[key].get("params", {})))
            changed += bool(found)
            for path, x, y in found:
                name = path.rsplit(".", 1)[-1]
                if x == ABSENT and name in defaults and defaults[name] == y:
                    filled[name] += 1
                else:
                    other[(job["rule"], path, json.dumps(x), json.dumps(y))] += 1
        print(f"{dump.stem}: {len(before)} jobs before, {len(after)} after, the same jobs: {set(before) == set(after)}; "
              f"jobs whose params differ: {changed}")
        if filled:
            print("    filled with the schema's default (option: times):", dict(sorted(filled.items())))
        for what, n in sorted(other.items(), key=lambda kv: str(kv[0])):
            print(f"    {n} × {what}")


if __name__ == "__main__":
    main()

"""Every job a dry run of each shipped configuration would run, written job by job, so a refactoring
can show that it changed no job: rule, wildcards, inputs, outputs, threads, resources and every param
except the code hashes (``code``, ``*_code``, and the hash of each input's rule's params in ``origins``),
which change whenever code moves.

    python benchmarks/dag_jobs.py --out /tmp/dag_before       # the default and every overlay
    python benchmarks/dag_jobs.py --out /tmp/dag_after
    diff -r /tmp/dag_before /tmp/dag_after                     # nothing printed: the same jobs

Nothing is run; the DAG is built in a scratch working directory as a clean checkout would see it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OVERLAYS = [[], ["reward.yaml"], ["reward.yaml", "gft.yaml"], ["prompting.yaml"], ["vision.yaml"], ["chess.yaml"], ["paper.yaml"]]

# Runs in its own interpreter per configuration (Snakemake's workflow object is built once per process).
_DUMP = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, DAGSettings, OutputSettings, ResourceSettings

snakefile, workdir, out, *configfiles = sys.argv[1:]
with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
    workflow_api = api.workflow(resource_settings=ResourceSettings(cores=2),
                                config_settings=ConfigSettings(configfiles=[Path(c) for c in configfiles]),
                                snakefile=Path(snakefile), workdir=Path(workdir))
    dag_api = workflow_api.dag(dag_settings=DAGSettings())
    workflow = workflow_api._workflow
    workflow._prepare_dag(forceall=False, ignore_incomplete=True, lock_warn_only=True)
    workflow._build_dag()
    jobs = []
    for job in workflow.dag.jobs:
        params = {k: v for k, v in job.params.items() if k != "code" and not k.endswith("_code")}
        if "origins" in params:  # each input's origin carries a hash of its rule's params, code hash included
            params["origins"] = {path: {k: v for k, v in origin.items() if k != "params"} for path, origin in params["origins"].items()}
        jobs.append({"rule": job.rule.name, "wildcards": dict(job.wildcards_dict), "output": sorted(map(str, job.output)),
                     "input": sorted(map(str, job.input)), "threads": job.threads,
                     "resources": {k: v for k, v in job.resources.items() if k not in ("_cores", "_nodes", "tmpdir")},
                     "params": params})
jobs.sort(key=lambda j: (j["rule"], j["output"]))
Path(out).write_text("\n".join(json.dumps(j, sort_keys=True, default=repr) for j in jobs) + "\n")
"""


def dump(overlay: list[str], out: Path, workdir: Path) -> int:
    configfiles = [str(REPO / "config" / "config.yaml"), *(str(REPO / "config" / name) for name in overlay)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-c", _DUMP, str(REPO / "Snakefile"), str(workdir), str(out), *configfiles],
                   check=True, env=env, cwd=workdir)
    return sum(1 for _ in out.open())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="a folder: one file of jobs per configuration")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for overlay in OVERLAYS:
        name = "+".join(Path(o).stem for o in overlay) or "default"
        with tempfile.TemporaryDirectory() as workdir:
            counts[name] = dump(overlay, args.out / f"{name}.jsonl", Path(workdir))
        print(f"{name}: {counts[name]} jobs", flush=True)
    (args.out / "counts.json").write_text(json.dumps(counts, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""What the tests against a real SLURM share (slurm/local_cluster.sh: one node, accounting through
slurmdbd, a `cpu` and a `gpu` partition with two fake GPUs): whether it is up, Snakemake through
`--profile slurm` with short status checks, and sacct's record of the submitted jobs."""

import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from workflow_helpers import REPO


def cluster_up() -> str | None:
    """None when a SLURM controller answers with an idle node, else why not."""
    if not shutil.which("sinfo"):
        return "no SLURM here: run `slurm/local_cluster.sh install` and `slurm/local_cluster.sh start` (root, Debian)"
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"sinfo failed ({exc}): run `slurm/local_cluster.sh start`"
    return None if any(s in states for s in ("idle", "mix")) else f"no idle SLURM node ({states.strip() or 'no answer'})"


WHY_NO_CLUSTER = cluster_up()  # asked once per test process (sinfo); None where the cluster is up
NEEDS_CLUSTER = [pytest.mark.slow, pytest.mark.skipif(WHY_NO_CLUSTER is not None, reason=str(WHY_NO_CLUSTER))]
FAST = ["--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "2", "--latency-wait", "5"]
# Snakemake's command line, its status checks every 2 s instead of backing off (snakemake_steady_polls.py)
SNAKEMAKE = [sys.executable, str(REPO / "tests" / "snakemake_steady_polls.py")]


def cluster_snakemake(workdir, *args, config="config.yaml", timeout=900, **kw) -> subprocess.CompletedProcess:
    cmd = [*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / config), "--profile", "slurm", *FAST, *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, **kw)


def sacct(*jobs: str) -> pd.DataFrame:
    out = subprocess.run(["sacct", "-X", "-n", "-P", "-o", "JobID,JobName,Partition,ReqMem,State,Start,End", "-j", ",".join(jobs)],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split("|") for line in out.splitlines() if line.strip()]
    return pd.DataFrame(rows, columns=["id", "name", "partition", "mem", "state", "start", "end"])


def submitted(output: str) -> list[str]:
    return re.findall(r"submitted with SLURM jobid (\d+)", output)

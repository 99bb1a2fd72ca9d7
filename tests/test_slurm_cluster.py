"""`--profile slurm` against a real SLURM (slurm/local_cluster.sh: one node, accounting through
slurmdbd, a `cpu` and a `gpu` partition with two fake GPUs). `.ci/run` installs and starts it; where it
is not running these tests are skipped, saying how to start it."""

import copy
import os
import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

from synthetic import make_rows
from workflow_helpers import REPO, tiny_config


def cluster_up() -> str | None:
    """None when a SLURM controller answers with an idle node, else why not."""
    if not shutil.which("sinfo"):
        return "no SLURM here: run `slurm/local_cluster.sh install` and `slurm/local_cluster.sh start` (root, Debian)"
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"sinfo failed ({exc}): run `slurm/local_cluster.sh start`"
    return None if any(s in states for s in ("idle", "mix")) else f"no idle SLURM node ({states.strip() or 'no answer'})"


pytestmark = [pytest.mark.slow, pytest.mark.skipif(cluster_up() is not None, reason=str(cluster_up()))]
FAST = ["--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "2", "--latency-wait", "5"]


def cluster_snakemake(workdir, *args, config="config.yaml", timeout=900, **kw) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / config), "--profile", "slurm", *FAST, *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, **kw)


def sacct(*jobs: str) -> pd.DataFrame:
    out = subprocess.run(["sacct", "-X", "-n", "-P", "-o", "JobID,JobName,Partition,ReqMem,State,Start,End", "-j", ",".join(jobs)],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split("|") for line in out.splitlines() if line.strip()]
    return pd.DataFrame(rows, columns=["id", "name", "partition", "mem", "state", "start", "end"])


def submitted(output: str) -> list[str]:
    import re

    return re.findall(r"submitted with SLURM jobid (\d+)", output)


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory, minilm, test_resources):
    workdir = tmp_path_factory.mktemp("slurm") / "w2s"
    workdir.mkdir()
    pd.DataFrame(make_rows(1400, seed=0)).to_json(workdir / "reviews.jsonl", orient="records", lines=True)
    config = tiny_config(workdir / "reviews.jsonl", test_resources)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    result = cluster_snakemake(workdir, "results/metrics/summary.csv")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return workdir, config, result


def test_the_tiny_run_on_the_cluster_equals_the_local_one_and_reruns_nothing(cluster_run, workflow_run):
    workdir, _, result = cluster_run
    local, _ = workflow_run
    assert (workdir / "results/metrics/summary.csv").read_bytes() == (local / "results/metrics/summary.csv").read_bytes()
    jobs = sacct(*submitted(result.stderr + result.stdout))
    assert len(jobs) >= 10 and set(jobs["state"]) == {"COMPLETED"} and set(jobs["partition"]) == {"cpu"}  # probes: no GPU
    again = cluster_snakemake(workdir, "results/metrics/summary.csv", timeout=300)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


def test_a_cancelled_job_is_reported_and_retried_with_more_memory(cluster_run):
    """`scancel` on a running job: the run used to count it as running forever (sacct's "CANCELLED by 0"
    unread by the plugin); with squeue as the status command it fails and is retried, asking for
    twice the memory."""
    workdir, config, _ = cluster_run
    changed = copy.deepcopy(config)
    changed["losses"]["logconf"]["alpha_max"] = 0.6  # one student to train again
    (workdir / "cancel.yaml").write_text(yaml.safe_dump(changed))
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / "cancel.yaml"), "--profile", "slurm", *FAST, "results/metrics/summary.csv"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    cancelled, deadline = None, time.time() + 300
    while cancelled is None and time.time() < deadline and proc.poll() is None:
        running = subprocess.run(["squeue", "-h", "-t", "RUNNING", "-o", "%i"], capture_output=True, text=True).stdout.split()
        if running:
            cancelled = running[0]
            subprocess.run(["scancel", cancelled], check=True)
        time.sleep(0.2)
    output, _ = proc.communicate(timeout=600)  # never waited on forever
    assert cancelled, "no job was seen running"
    assert proc.returncode == 0, output[-4000:]  # the retry finished the run
    jobs = sacct(*submitted(output))
    first = jobs[jobs["id"] == cancelled].iloc[0]
    assert first["state"].startswith("CANCELLED")
    retry = jobs[(jobs["name"] == first["name"]) & (jobs["id"] != cancelled)].iloc[0]
    assert retry["state"] == "COMPLETED"
    assert int(retry["mem"].rstrip("M")) == 2 * int(first["mem"].rstrip("M"))  # sacct's ReqMem, e.g. "8000M"


def test_two_gpu_jobs_run_side_by_side(cluster_run):
    """Fine-tuning jobs ask for a GPU each; the node has two: both run at once (a global gpu=1 limit
    registered by the workflow made them wait for each other)."""
    workdir, config, _ = cluster_run
    changed = copy.deepcopy(config)
    changed["experiment"]["regime"] = "finetune"
    changed["regimes"]["finetune"] = {"lr": 1e-4, "batch_size": 32, "epochs": 1, "max_length": 16}
    (workdir / "gpu.yaml").write_text(yaml.safe_dump(changed))
    targets = ["results/per_seed/labels/finetune/reviews/minilm_l1_short/seed0.parquet",
               "results/per_seed/predictions/finetune/reviews/ceiling/minilm_l6/seed0.parquet"]
    result = cluster_snakemake(workdir, *targets, config="gpu.yaml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    jobs = sacct(*submitted(result.stderr + result.stdout))
    gpu = jobs[jobs["partition"] == "gpu"]
    assert len(gpu) == 2 and set(gpu["state"]) == {"COMPLETED"}
    (s1, e1), (s2, e2) = [(pd.Timestamp(r.start), pd.Timestamp(r.end)) for r in gpu.itertuples()]
    assert max(s1, s2) < min(e1, e2), f"the GPU jobs ran one after the other: {gpu.to_dict('records')}"


def test_the_paper_twin_runs_through_the_slurm_profile(tmp_path_factory, minilm):
    """config/paper.yaml's toy-scale twin (tests/paper_twin.py) through `--profile slurm`: every training
    job on the gpu partition with its one GPU, everything done, and a second run does nothing."""
    from paper_twin import build_twin

    workdir = tmp_path_factory.mktemp("paper-twin-slurm")
    configfiles, env = build_twin(workdir)
    # The rungs declare their real sizes, so their jobs ask for the host memory the real ones need (up to
    # 70 GB for GPT-2 XL, resources.smk); this one-node cluster has 22 GB: cap it as a cluster's own
    # settings would (slurm/config.yaml's set-resources).
    cap = [f"{rule}:mem_mb=3000" for rule in ("train_weak", "train_ceiling", "train_student", "bootstrap_chain")]
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--profile", "slurm", *FAST, "--set-resources", *cap, "--configfile", *configfiles]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=1500,
                            env={**os.environ, "HF_HUB_OFFLINE": "1", **env})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    jobs = sacct(*submitted(result.stderr + result.stdout))
    assert set(jobs["state"]) == {"COMPLETED"}
    # every training job (2 datasets x (2 weak, 2 ceilings, 6 students, 1 chain)) on the gpu partition
    assert (jobs["partition"] == "gpu").sum() == 2 * (2 + 2 + 6 + 1)
    again = subprocess.run(cmd + ["-n"], cwd=REPO, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "HF_HUB_OFFLINE": "1", **env})
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr

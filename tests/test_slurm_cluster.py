"""`--profile slurm` against a real SLURM (slurm/local_cluster.sh: one node, accounting through
slurmdbd, a `cpu` and a `gpu` partition with two fake GPUs). `.ci/run` installs and starts it; where it
is not running these tests are skipped, saying how to start it. The paper overlay's twin runs through the
same cluster in tests/test_paper_twin.py (a file of its own, so the two runs wait on the scheduler side
by side)."""

import copy
import os
import subprocess
import time

import pandas as pd
import pytest
import yaml

from slurm_cluster_helpers import FAST, NEEDS_CLUSTER, SNAKEMAKE, cluster_snakemake, sacct, submitted
from synthetic import make_rows
from workflow_helpers import REPO, tiny_config

pytestmark = NEEDS_CLUSTER


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
    cmd = [*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
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

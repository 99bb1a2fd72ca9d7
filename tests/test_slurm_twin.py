"""config/paper.yaml's toy-scale twin through `--profile slurm` on the one-node SLURM of
tests/test_slurm_cluster.py (skipped, saying how to start it, where that cluster is not running)."""

import os
import subprocess

from slurm_cluster_helpers import FAST, NEEDS_CLUSTER, SNAKEMAKE, sacct, submitted
from workflow_helpers import REPO

pytestmark = NEEDS_CLUSTER


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
    cmd = [*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
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

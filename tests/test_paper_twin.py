"""config/paper.yaml, the paper's NLP grid for a GPU cluster, run whole at toy scale: its twin
(tests/paper_twin.py, one transformation of the overlay) plans the overlay's jobs for every cell it
keeps, and runs every rule: through `--profile slurm` on the one-node SLURM of
tests/test_slurm_cluster.py where it is up (CI), through the local executor where it is not. Once,
not twice: the local executor runs every other workflow test, and the twin is the costliest run of
the suite."""

import pytest
from paper_twin import REPO, TWIN_DATASETS, TWIN_SEEDS, build_twin, dry_run_jobs, overlay_cells

from weak2strong.cost import merged_config

from workflow_helpers import planned_figures


def snakemake_cmd(workdir, configfiles, *args):
    import sys

    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--cores", "2", "--configfile", *configfiles, *args]


def run(workdir, configfiles, env, *args, check=True):
    import os
    import subprocess

    done = subprocess.run(snakemake_cmd(workdir, configfiles, *args), capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, timeout=1200)
    if check and done.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return done


@pytest.fixture(scope="module")
def twin(tmp_path_factory, minilm):
    workdir = tmp_path_factory.mktemp("paper-twin")
    configfiles, env = build_twin(workdir)
    return workdir, configfiles, env


def test_the_twin_plans_the_overlays_jobs_for_every_cell_it_keeps(twin, tmp_path):
    workdir, configfiles, env = twin
    overlay = [str(REPO / "config/config.yaml"), str(REPO / "config/paper.yaml")]
    paper_jobs = dry_run_jobs(run(tmp_path, overlay, {}, "-n", "--forceall").stdout)
    twin_jobs = dry_run_jobs(run(workdir, configfiles, env, "-n", "--forceall").stdout)
    from weak2strong.plan import build_plan

    pairs = set(build_plan(merged_config(configfiles)).pairs)
    expected = overlay_cells(paper_jobs, TWIN_DATASETS, TWIN_SEEDS, pairs)
    assert sorted(twin_jobs) == sorted(expected)
    assert {rule for rule, _ in twin_jobs} == {rule for rule, _ in paper_jobs}  # every rule of the overlay
    assert sum(rule == "train_student" for rule, _ in twin_jobs) == 2 * 3 * 2  # datasets x pairs x losses, one seed


def run_on_the_cluster(workdir, configfiles, env, *args):
    """The twin through `--profile slurm` (status checks every 2 s: tests/slurm_cluster_helpers.py)."""
    import os
    import subprocess

    from slurm_cluster_helpers import FAST, SNAKEMAKE

    # The rungs declare their real sizes, so their jobs ask for the host memory the real ones need (up to
    # 70 GB for GPT-2 XL, resources.smk); this one-node cluster has 22 GB: cap it as a cluster's own
    # settings would (slurm/config.yaml's set-resources).
    cap = [f"{rule}:mem_mb=3000" for rule in ("train_weak", "train_ceiling", "train_student", "bootstrap_chain")]
    cmd = [*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--profile", "slurm", *FAST, "--set-resources", *cap, "--configfile", *configfiles, *args]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=1500,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **env})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return done


@pytest.mark.slow
def test_the_twin_runs_every_rule_and_a_cold_rerun_does_nothing(twin):
    from slurm_cluster_helpers import WHY_NO_CLUSTER

    workdir, configfiles, env = twin
    if WHY_NO_CLUSTER is None:
        from slurm_cluster_helpers import sacct, submitted

        result = run_on_the_cluster(workdir, configfiles, env)
        jobs = sacct(*submitted(result.stderr + result.stdout))
        assert set(jobs["state"]) == {"COMPLETED"}
        # every training job (2 datasets x (2 weak, 2 ceilings, 6 students, 1 chain)) on the gpu partition
        assert (jobs["partition"] == "gpu").sum() == 2 * (2 + 2 + 6 + 1)
        again = run_on_the_cluster(workdir, configfiles, env, "-n")
    else:  # no cluster here: the local executor
        run(workdir, configfiles, env)
        again = run(workdir, configfiles, env, "-n")
    figures = planned_figures(merged_config(configfiles))
    assert "rm_pgr" in figures and "bootstrap" in figures
    for figure in figures:
        assert (workdir / "results/figures" / f"{figure}.png").stat().st_size > 0, figure
    import pandas as pd

    summary = pd.read_csv(workdir / "results/metrics/summary.csv")
    assert sorted(summary["dataset"].unique()) == sorted(TWIN_DATASETS) and set(summary["loss"]) == {"xent", "logconf"}
    assert len(summary) == len(TWIN_DATASETS) * 3 * 2  # datasets x (weak, strong) pairs x losses
    assert "Nothing to be done" in again.stdout + again.stderr

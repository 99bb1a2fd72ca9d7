"""`--profile slurm`: a dry run with the real executor plugin, and submissions to a fake SLURM."""

import copy
import os
import re
import stat

import pytest
import yaml

from workflow_helpers import REPO, snakemake

pytestmark = pytest.mark.slow

FAKE_SBATCH = """#!/usr/bin/env bash
# Record the call (arguments and any script on stdin) and answer with a job id.
n=$(( $(wc -l < "$FAKE_SLURM_DIR/ids" 2>/dev/null || echo 0) + 1000 ))
echo "$n" >> "$FAKE_SLURM_DIR/ids"
{ echo "=== sbatch $n"; printf '%s\\n' "$*"; [ -t 0 ] || cat; } >> "$FAKE_SLURM_DIR/sbatch.log"
echo "$n"
"""
# Every submitted job "fails" at once, so the retries (with more memory) are submitted too.
FAKE_SACCT = """#!/usr/bin/env bash
[ -f "$FAKE_SLURM_DIR/ids" ] && sed 's/$/|FAILED/' "$FAKE_SLURM_DIR/ids"
exit 0
"""
FAKE_QUIET = "#!/usr/bin/env bash\nexit 0\n"
FAKE_ACCOUNT = "#!/usr/bin/env bash\necho test-account\n"


@pytest.fixture
def fake_slurm(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {"sbatch": FAKE_SBATCH, "sacct": FAKE_SACCT, "squeue": FAKE_QUIET, "scancel": FAKE_QUIET,
                       "sshare": FAKE_ACCOUNT, "sacctmgr": FAKE_ACCOUNT, "sinfo": FAKE_QUIET, "scontrol": FAKE_QUIET}.items():
        path = bin_dir / name
        path.write_text(body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_SLURM_DIR": str(tmp_path)}
    return tmp_path, env


def test_slurm_profile_dry_run_from_the_repository_root():
    result = snakemake(REPO, "-n", "--forceall", "--profile", "slurm", config="config/config.yaml", cwd=REPO)
    assert "Using profiles slurm and workflow specific profile" in result.stderr + result.stdout
    assert "train_student" in result.stdout


FAST_STATUS = ["--latency-wait", "1", "--slurm-init-seconds-before-status-checks", "1",
               "--seconds-between-status-checks", "1", "--max-status-checks-per-second", "10"]


def test_training_job_asks_for_a_gpu_and_retries_with_more_memory(workflow_run_copy, fake_slurm):
    workdir, config = workflow_run_copy
    fake_dir, env = fake_slurm
    changed = copy.deepcopy(config)
    changed["experiment"]["regime"] = "finetune"
    changed["regimes"]["finetune"] = {"lr": 1e-4, "batch_size": 16, "epochs": 1}
    (workdir / "slurm.yaml").write_text(yaml.safe_dump(changed))
    target = "results/per_seed/labels/finetune/reviews/minilm_l1_short/seed0.parquet"
    result = snakemake(workdir, "--profile", str(REPO / "slurm"), *FAST_STATUS, target,
                       config="slurm.yaml", check=False, env=env, cwd=workdir, timeout=300)
    assert result.returncode != 0  # the fake cluster fails every job
    log = (fake_dir / "sbatch.log").read_text() if (fake_dir / "sbatch.log").exists() else ""
    calls = [c for c in log.split("=== sbatch") if c.strip()]
    assert len(calls) == 3, result.stdout[-2000:] + result.stderr[-3000:]  # first try and two retries
    assert all("train_weak" in c and re.search(r"--gpus[= ]1\b", c) for c in calls)
    assert all(re.search(r"(--partition|-p)[= ]gpu\b", c) for c in calls)
    mems = [int(re.search(r"--mem[= ](\d+)", c).group(1)) for c in calls]
    runtimes = [int(re.search(r" -t (\d+)", c).group(1)) for c in calls]
    assert mems == [mems[0], 2 * mems[0], 3 * mems[0]] and runtimes == [runtimes[0], 2 * runtimes[0], 3 * runtimes[0]]


def test_figure_job_runs_locally_without_a_submission(workflow_run_copy, fake_slurm):
    workdir, config = workflow_run_copy
    fake_dir, env = fake_slurm
    changed = copy.deepcopy(config)
    changed["figures"]["pgr"] = {"ylim": [-2.0, 2.0]}
    (workdir / "slurm_fig.yaml").write_text(yaml.safe_dump(changed))
    before = (workdir / "results/figures/pgr.png").stat().st_mtime
    snakemake(workdir, "--profile", str(REPO / "slurm"), *FAST_STATUS, "results/figures/pgr.png",
              config="slurm_fig.yaml", env=env, cwd=workdir, timeout=300)
    assert not (fake_dir / "sbatch.log").exists()
    assert (workdir / "results/figures/pgr.png").stat().st_mtime > before


def test_a_job_without_a_gpu_goes_to_the_cpu_partition(workflow_run_copy, fake_slurm):
    """A linear-probe training job asks for no GPU: it is submitted to the CPU partition (the
    profile used to send every training job to the GPU queue)."""
    workdir, config = workflow_run_copy
    fake_dir, env = fake_slurm
    (workdir / "results/labels/linear_probe/reviews/minilm_l1_short.parquet").unlink()
    result = snakemake(workdir, "--profile", str(REPO / "slurm"), *FAST_STATUS, "--retries", "0",
                       "results/labels/linear_probe/reviews/minilm_l1_short.parquet", check=False, env=env, cwd=workdir, timeout=300)
    log = (fake_dir / "sbatch.log").read_text() if (fake_dir / "sbatch.log").exists() else ""
    calls = [c for c in log.split("=== sbatch") if c.strip()]
    assert len(calls) == 1 and "train_weak" in calls[0], result.stdout[-2000:] + result.stderr[-3000:]
    assert re.search(r"(--partition|-p)[= ]cpu\b", calls[0]) and not re.search(r"--gpus", calls[0])


def test_a_rule_without_its_own_memory_retries_with_more(workflow_run_copy, fake_slurm):
    """prepare, split, simulate, difficulty and easy-to-hard declare no memory: their retries asked
    for the same 8,000 MB each time (the README promised attempt × memory). The profile's defaults
    now scale with the attempt."""
    workdir, _ = workflow_run_copy
    fake_dir, env = fake_slurm
    (workdir / "results/data/reviews/splits/seed0.parquet").unlink()
    result = snakemake(workdir, "--profile", str(REPO / "slurm"), *FAST_STATUS, "results/data/reviews/splits/seed0.parquet",
                       check=False, env=env, cwd=workdir, timeout=300)
    log = (fake_dir / "sbatch.log").read_text() if (fake_dir / "sbatch.log").exists() else ""
    calls = [c for c in log.split("=== sbatch") if c.strip()]
    assert len(calls) == 3 and all("split_dataset" in c for c in calls), result.stdout[-2000:] + result.stderr[-3000:]
    mems = [int(re.search(r"--mem[= ](\d+)", c).group(1)) for c in calls]
    assert mems == [mems[0], 2 * mems[0], 3 * mems[0]]
    assert all(re.search(r"--cpus-per-task[= ]1\b", c) for c in calls)  # the rule's threads, not a profile constant

"""`--profile slurm`: a dry run with the real executor plugin, and submissions to a fake SLURM."""

import copy
import os
import re
import shutil
import stat

import pytest
import yaml

from workflow_helpers import REPO, snakemake

pytestmark = pytest.mark.slow

FAKE_SBATCH = """#!/usr/bin/env bash
# Record the call (arguments and any script on stdin) and answer with a job id. Under a lock, whole: the
# executor submits from two threads, and two calls at once took one id or interleaved their records.
record=$( printf '%s\\n' "$*"; [ -t 0 ] || cat )
exec 9>"$FAKE_SLURM_DIR/sbatch.lock"
flock 9
n=$(( $(wc -l < "$FAKE_SLURM_DIR/ids" 2>/dev/null || echo 0) + 1000 ))
echo "$n" >> "$FAKE_SLURM_DIR/ids"
printf '=== sbatch %s\\n%s\\n' "$n" "$record" >> "$FAKE_SLURM_DIR/sbatch.log"
echo "$n"
"""
# Every submitted job "fails" at once, so the retries (with more memory) are submitted too. Asked for the
# account (the executor guesses one from `sacct -o Account` before a submission), it names one: answered
# with job states, a submission made while another job's id was already written took "1000|FAILED" for
# an account, failed before sbatch and spent an attempt (a flaky count of retries).
FAKE_SACCT = """#!/usr/bin/env bash
case "$*" in *Account*) echo test-account; exit 0 ;; esac
[ -f "$FAKE_SLURM_DIR/ids" ] && sed 's/$/|FAILED/' "$FAKE_SLURM_DIR/ids"
exit 0
"""
FAKE_QUIET = "#!/usr/bin/env bash\nexit 0\n"
FAKE_ACCOUNT = "#!/usr/bin/env bash\necho test-account\n"


def make_fake_slurm(folder):
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name, body in {"sbatch": FAKE_SBATCH, "sacct": FAKE_SACCT, "squeue": FAKE_QUIET, "scancel": FAKE_QUIET,
                       "sshare": FAKE_ACCOUNT, "sacctmgr": FAKE_ACCOUNT, "sinfo": FAKE_QUIET, "scontrol": FAKE_QUIET}.items():
        path = bin_dir / name
        path.write_text(body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_SLURM_DIR": str(folder)}
    return folder, env


@pytest.fixture
def fake_slurm(tmp_path):
    return make_fake_slurm(tmp_path)


def test_slurm_profile_dry_run_from_the_repository_root():
    result = snakemake(REPO, "-n", "--forceall", "--profile", "slurm", config="config/config.yaml", cwd=REPO)
    assert "Using profiles slurm and workflow specific profile" in result.stderr + result.stdout
    assert "train_student" in result.stdout


FAST_STATUS = ["--latency-wait", "1", "--slurm-init-seconds-before-status-checks", "1",
               "--seconds-between-status-checks", "1", "--max-status-checks-per-second", "10"]


@pytest.fixture(scope="module")
def failed_submissions(workflow_run, tmp_path_factory):
    """One run on a copy of the tiny run against the fake cluster, which fails every job: a fine-tuning
    job (a training rule with its own memory and a GPU) and a split job (a rule without its own memory)
    submitted side by side, each tried and retried as the profile says (`--keep-going`: the first to run
    out of retries does not stop the other's). One run for both: each run of failing jobs waits on the
    status checks between attempts. Returns the sbatch calls and the run's output."""
    workdir_src, config = workflow_run
    folder = tmp_path_factory.mktemp("fake-slurm")
    workdir = folder / "w2s"
    shutil.copytree(workdir_src, workdir, symlinks=True)
    fake_dir, env = make_fake_slurm(folder)
    changed = copy.deepcopy(config)
    changed["experiment"]["regime"] = "finetune"
    changed["regimes"]["finetune"] = {"lr": 1e-4, "batch_size": 16, "epochs": 1}
    (workdir / "slurm.yaml").write_text(yaml.safe_dump(changed))
    (workdir / "results/data/reviews/splits/seed1.parquet").unlink()
    targets = ["results/per_seed/labels/finetune/reviews/minilm_l1_short/seed0.parquet", "results/data/reviews/splits/seed1.parquet"]
    result = snakemake(workdir, "--profile", str(REPO / "slurm"), *FAST_STATUS, "--keep-going", *targets,
                       config="slurm.yaml", check=False, steady_polls=True, env=env, cwd=workdir, timeout=300)
    log = (fake_dir / "sbatch.log").read_text() if (fake_dir / "sbatch.log").exists() else ""
    return [c for c in log.split("=== sbatch") if c.strip()], result


def test_training_job_asks_for_a_gpu_and_retries_with_more_memory(failed_submissions):
    all_calls, result = failed_submissions
    assert result.returncode != 0  # the fake cluster fails every job
    calls = [c for c in all_calls if "train_weak" in c]
    assert len(calls) == 3, result.stdout[-2000:] + result.stderr[-3000:]  # first try and two retries
    assert all(re.search(r"--gpus[= ]1\b", c) for c in calls)
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
              config="slurm_fig.yaml", steady_polls=True, env=env, cwd=workdir, timeout=300)
    assert not (fake_dir / "sbatch.log").exists()
    assert (workdir / "results/figures/pgr.png").stat().st_mtime > before


def test_a_job_without_a_gpu_goes_to_the_cpu_partition(workflow_run_copy, fake_slurm):
    """A linear-probe training job asks for no GPU: it is submitted to the CPU partition (the
    profile used to send every training job to the GPU queue)."""
    workdir, config = workflow_run_copy
    fake_dir, env = fake_slurm
    (workdir / "results/labels/linear_probe/reviews/minilm_l1_short.parquet").unlink()
    result = snakemake(workdir, "--profile", str(REPO / "slurm"), *FAST_STATUS, "--retries", "0",
                       "results/labels/linear_probe/reviews/minilm_l1_short.parquet", check=False, steady_polls=True, env=env, cwd=workdir,
                       timeout=300)
    log = (fake_dir / "sbatch.log").read_text() if (fake_dir / "sbatch.log").exists() else ""
    calls = [c for c in log.split("=== sbatch") if c.strip()]
    assert len(calls) == 1 and "train_weak" in calls[0], result.stdout[-2000:] + result.stderr[-3000:]
    assert re.search(r"(--partition|-p)[= ]cpu\b", calls[0]) and not re.search(r"--gpus", calls[0])


def test_a_rule_without_its_own_memory_retries_with_more(failed_submissions):
    """prepare, split, simulate, difficulty and easy-to-hard declare no memory: their retries asked
    for the same 8,000 MB each time (the README promised attempt × memory). The profile's defaults
    now scale with the attempt."""
    all_calls, result = failed_submissions
    calls = [c for c in all_calls if "split_dataset" in c]
    assert len(calls) == 3 and len(all_calls) == 6, result.stdout[-2000:] + result.stderr[-3000:]
    mems = [int(re.search(r"--mem[= ](\d+)", c).group(1)) for c in calls]
    assert mems == [mems[0], 2 * mems[0], 3 * mems[0]]
    assert all(re.search(r"--cpus-per-task[= ]1\b", c) for c in calls)  # the rule's threads, not a profile constant

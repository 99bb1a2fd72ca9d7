"""slurm/local_cluster.sh stops only what it started, refuses stray arguments, and says what is
missing instead of exiting 127 (run with stand-in daemons: no SLURM needed)."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "slurm" / "local_cluster.sh"


def stand_in(bin_dir: Path, name: str) -> subprocess.Popen:
    """A long-running process whose name (/proc/PID/comm) is ``name``, as a daemon's would be."""
    program = bin_dir / name
    shutil.copy(shutil.which("sleep"), program)
    return subprocess.Popen([str(program), "300"])


def tools(bin_dir: Path, *names: str) -> None:
    """Only these commands on PATH (so sinfo, scancel and pkill are absent unless faked)."""
    for name in names:
        (bin_dir / name).symlink_to(shutil.which(name))


def run(*args, path: Path, state: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": str(path), "W2S_CLUSTER_STATE": str(state), "HOME": os.environ.get("HOME", "/")})


@pytest.fixture
def bins(tmp_path):
    fake, daemons = tmp_path / "bin", tmp_path / "daemons"
    fake.mkdir(), daemons.mkdir()
    tools(fake, "hostname", "cat", "rm", "seq", "sleep", "xargs", "mkdir")
    calls = tmp_path / "calls"
    for name, body in {"squeue": 'echo 17; echo 18', "scancel": f'echo "scancel $*" >> {calls}',
                       "pkill": f'echo "pkill $*" >> {calls}'}.items():
        (fake / name).write_text(f"#!/bin/bash\n{body}\n")
        (fake / name).chmod(0o755)
    return fake, daemons, calls


def test_stop_ends_the_daemons_it_started_and_the_jobs_of_its_controller_only(bins, tmp_path):
    fake, daemons, calls = bins
    state = tmp_path / "state"
    state.mkdir()
    ours = {name: stand_in(daemons, name) for name in ("slurmctld", "slurmd", "munged")}
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    someone_elses = stand_in(other_dir, "slurmd")  # same name, not started by the script
    reused = subprocess.Popen([shutil.which("sleep"), "300"])  # a pid file whose pid now runs another program
    try:
        for name, proc in ours.items():
            (state / f"{name}.pid").write_text(f"{proc.pid}\n")
        (state / "mariadbd.pid").write_text(f"{reused.pid}\n")
        done = run("stop", path=fake, state=state)
        assert done.returncode == 0, done.stderr
        for name, proc in ours.items():
            assert proc.wait(timeout=30) is not None, name
            assert f"stopped {name} (pid {proc.pid})" in done.stdout
        time.sleep(0.2)
        assert someone_elses.poll() is None and reused.poll() is None  # left alone
        assert calls.read_text().split("\n")[:2] == ["scancel 17 18", ""]  # the jobs of its own controller, no --user
        assert not list(state.glob("*.pid"))
        again = run("stop", path=fake, state=state)
        assert again.returncode == 0 and "nothing to stop" in again.stdout
    finally:
        for proc in [*ours.values(), someone_elses, reused]:
            proc.kill()


def test_without_its_controller_stop_cancels_no_job(bins, tmp_path):
    fake, daemons, calls = bins
    done = run("stop", path=fake, state=tmp_path / "never-started")
    assert done.returncode == 0 and "nothing to stop" in done.stdout
    assert not calls.exists()


@pytest.mark.parametrize("args", [["stop", "now"], ["status", "--all"], [], ["restart"]])
def test_extra_or_unknown_arguments_are_refused(args, bins, tmp_path):
    fake, _, calls = bins
    done = run(*args, path=fake, state=tmp_path / "state")
    assert done.returncode == 2 and "usage:" in done.stderr and not calls.exists()


def test_status_without_slurm_says_how_to_install_it(bins, tmp_path):
    fake, _, _ = bins
    done = run("status", path=fake, state=tmp_path / "state")
    assert done.returncode == 1 and "SLURM is not installed here" in done.stderr and "install" in done.stderr

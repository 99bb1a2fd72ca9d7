"""An interrupted job never leaves a file that a later run takes for finished."""

import copy
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from weak2strong.io import write_parquet

from workflow_helpers import REPO, planned_jobs, snakemake


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "labels.parquet"

    real_write = pq.write_table

    def broken_write(table, path, **kw):
        if not isinstance(path, (str, os.PathLike)):  # the in-memory copy the checksum is taken on
            return real_write(table, path, **kw)
        with open(path, "wb") as fh:
            fh.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken_write)
    with pytest.raises(OSError):
        write_parquet(pd.DataFrame({"a": [1]}), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


@pytest.mark.slow
def test_killed_job_is_redone_by_the_next_run(workflow_run_copy):
    workdir, config = workflow_run_copy
    changed = copy.deepcopy(config)
    changed["losses"]["logconf"]["alpha_max"] = 0.7
    (workdir / "killed.yaml").write_text(yaml.safe_dump(changed))
    log = workdir / "logs/train_student/linear_probe/reviews/minilm_l1_short/minilm_l6/logconf.log"
    before = log.stat().st_mtime
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / "killed.yaml"), "--cores", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    deadline = time.time() + 120
    while time.time() < deadline and not (log.exists() and log.stat().st_mtime > before):
        time.sleep(0.05)
    assert log.stat().st_mtime > before, "the student job never started"
    os.killpg(proc.pid, signal.SIGKILL)  # the job and Snakemake die at once, mid-job
    proc.wait()
    # Snakemake itself was killed, so its lock stays, as after a power loss: the user unlocks.
    snakemake(workdir, "--unlock", config="killed.yaml")
    # Whatever was left, the next dry run must plan the student again (never take it for finished)...
    jobs = planned_jobs(workdir, changed, name="killed.yaml")
    assert jobs.get("train_student") == 1
    # ...and the next run completes it (profiles/default: rerun-incomplete), up to the summary table;
    # only the figures, which were not asked for, are left to do.
    snakemake(workdir, "results/metrics/summary.csv", config="killed.yaml")
    left = planned_jobs(workdir, changed, name="killed.yaml")
    assert left and all(job.startswith("figure:") or job == "all" for job in left), left
    summary = pd.read_csv(workdir / "results/metrics/summary.csv")
    assert len(summary[summary["supervisor"] == "trained"]) == 2 and (summary["loss"] == "logconf").sum() == 1


@pytest.mark.slow
def test_an_edited_label_file_stops_the_steps_that_read_it(workflow_run_copy):
    """Weak labels opened in pandas, one changed and saved: the next run does not use them silently
    (it did: the weak accuracy in summary.csv moved with no warning); the first job that reads them
    fails, and its log names the file and both ways out."""
    workdir, _ = workflow_run_copy
    labels = workdir / "results/labels/linear_probe/reviews/minilm_l1_short.parquet"
    table = pd.read_parquet(labels)
    table.loc[0, "soft_label"] = 1.0 - table.loc[0, "soft_label"]
    table.to_parquet(labels)
    summary = (workdir / "results/metrics/summary.csv").read_bytes()
    result = snakemake(workdir, "results/metrics/summary.csv", check=False)
    assert result.returncode != 0
    logs = "".join(p.read_text() for p in (workdir / "logs").rglob("*.log") if p.stat().st_mtime > labels.stat().st_mtime)
    assert f"{labels.relative_to(workdir)} has no content checksum" in logs and "weak2strong.accept_edit" in logs
    assert (workdir / "results/metrics/summary.csv").read_bytes() == summary


@pytest.mark.slow
def test_a_features_file_of_another_layer_stops_the_steps_that_read_it(workflow_run_copy):
    """The reported case: a features file swapped for another layer's was read by the ceiling without
    a check (ceiling accuracy 0.985 -> 0.778). Now the reading job compares the file's recorded origin
    with what the plan expects for that path, and names both."""
    import shutil

    workdir, _ = workflow_run_copy
    folder = workdir / "results/features/reviews/minilm-l6"
    shutil.copy(folder / "layer1-len8.safetensors", folder / "layer6-len64.safetensors")
    ceiling = workdir / "results/predictions/linear_probe/reviews/ceiling/minilm_l6.parquet"
    result = snakemake(workdir, str(ceiling.relative_to(workdir)), check=False)
    assert result.returncode != 0
    logs = "".join(p.read_text() for p in (workdir / "logs").rglob("*.log") if p.stat().st_mtime > folder.stat().st_mtime)
    assert ("layer6-len64.safetensors is not the file this step would make: it was made for backbone=minilm-l6, "
            "dataset=reviews, layer=1, length=8, not for backbone=minilm-l6, dataset=reviews, layer=6, length=64") in logs
    assert "delete it and rerun snakemake" in logs and "Traceback" not in logs

"""Training one model in several processes (data parallelism through accelerate), run for real on
CPUs with gloo: it must train the same model as one process does."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from weak2strong.io import write_parquet
from weak2strong.models.registry import resolve_model
from weak2strong.train_job import JobSpec, run, run_in_processes

from synthetic import toy_splits

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("regime", [
    # full fine-tuning with gradient checkpointing and micro-batches inside each process's share
    {"name": "finetune", "lr": 2e-3, "grad_checkpointing": True, "micro_batch_size": 3},
    # LP-FT trains twice (head alone, then everything): each phase needs its own DDP wrapper
    {"name": "lp_ft", "lr": 1e-3, "lp_epochs": 1, "lp_lr": 5e-3},
    # LoRA: most weights frozen, adapters and head trained
    {"name": "lora", "lr": 5e-3, "lora_r": 4, "lora_alpha": 8},
], ids=["finetune-checkpointing", "lp_ft", "lora"])
def test_two_processes_train_the_same_student_as_one(tmp_path, test_resources, minilm, regime):
    split_file = tmp_path / "seed0.parquet"
    write_parquet(toy_splits(20), split_file)  # as the split step writes it (with its checksum)
    regime = {"batch_size": 8, "epochs": 4, "max_length": 16, "eval_points": 2, **regime}
    model = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1}).to_dict()
    common = dict(seeds=[0], split_files={0: str(split_file)}, regime=regime, model=model, dataset="toy",
                  resources_dir=str(test_resources))
    run(JobSpec(step="weak", outputs={"table": str(tmp_path / "labels.parquet"), "curves": str(tmp_path / "weak.json")}, **common))
    one = JobSpec(step="student", outputs={"table": str(tmp_path / "one.parquet"), "curves": str(tmp_path / "one.json")},
                  labels_file=str(tmp_path / "labels.parquet"), loss="xent", **common)
    run(one)
    two = replace(one, outputs={"table": str(tmp_path / "two.parquet"), "curves": str(tmp_path / "two.json")}, processes=2)
    run_in_processes(two, tmp_path / "two.job.json")

    a, b = pd.read_parquet(tmp_path / "one.parquet"), pd.read_parquet(tmp_path / "two.parquet")
    assert list(a["id"]) == list(b["id"])
    # the model moved away from its start (a zero head predicts 0.5 everywhere) ...
    assert np.abs(a["soft_label"] - 0.5).max() > 0.05
    # ... and the two-process model is the one-process model, up to float reduction order
    np.testing.assert_allclose(a["soft_label"], b["soft_label"], atol=2e-4)
    ca, cb = json.loads((tmp_path / "one.json").read_text())["0"], json.loads((tmp_path / "two.json").read_text())["0"]
    assert (ca["processes"], cb["processes"]) == (1, 2)
    np.testing.assert_allclose(ca["losses"], cb["losses"], rtol=1e-3)
    assert [d["step"] for d in ca["dynamics"]] == [d["step"] for d in cb["dynamics"]]
    np.testing.assert_allclose([d["test_acc"] for d in ca["dynamics"]], [d["test_acc"] for d in cb["dynamics"]])


def test_a_failing_process_fails_the_job_and_writes_nothing(tmp_path, test_resources):
    split_file = tmp_path / "seed0.parquet"
    write_parquet(toy_splits(8), split_file)
    spec = JobSpec(step="ceiling", seeds=[0], split_files={0: str(split_file)},
                   regime={"name": "finetune", "lr": 1e-4, "batch_size": 4, "epochs": 1},
                   model=resolve_model("m", {"backbone": "minilm-l6", "layer": 1}).to_dict(), dataset="toy",
                   outputs={"table": str(tmp_path / "t.parquet"), "curves": str(tmp_path / "c.json")},
                   resources_dir=str(tmp_path / "empty"), processes=2)  # no model files there
    with pytest.raises(RuntimeError, match="2-process training job failed"):
        run_in_processes(spec, tmp_path / "job.json")
    assert not (tmp_path / "t.parquet").exists() and not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("loss", ["xent", "logconf"])
def test_processes_and_micro_batches_together_give_the_full_batch_gradient(tmp_path, loss):
    """11 examples over 2 processes (6 and 5) in micro-batches of at most 2: the same gradient and
    loss as the whole batch at once (a missing or double-counted share would change both; for
    logconf, so would hardened targets taken per micro-batch instead of over the whole batch)."""
    import os
    import subprocess

    from weak2strong.training.distributed import launch_command

    from distributed_gradient import batch_gradient

    full_grad, full_loss = batch_gradient(None, loss)
    out = tmp_path / "grad.npy"
    here = os.path.dirname(__file__)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(here, "..", "src"), here])}
    run = subprocess.run(launch_command(2, "distributed_gradient", str(out), "2", loss), env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]  # a process's own error, not only the launcher's exit status
    saved = np.load(out)
    np.testing.assert_allclose(saved[:-1].reshape(full_grad.shape), full_grad, rtol=1e-5, atol=1e-7)
    assert saved[-1] == pytest.approx(full_loss, rel=1e-5)


def test_the_workflow_launches_a_model_with_two_gpus_in_two_processes(workflow_run_copy):
    """Through Snakemake: `hardware.gpus: 2` makes train.py launch the job in two processes (here on
    CPUs), which write the same files a one-process job writes."""
    import copy

    import yaml

    from workflow_helpers import snakemake

    workdir, config = workflow_run_copy
    changed = copy.deepcopy(config)
    changed["experiment"]["regime"] = "finetune"
    changed["regimes"]["finetune"] = {"lr": 1e-4, "batch_size": 16, "epochs": 1}
    changed["models"]["minilm_l1_short"]["hardware"] = {"gpus": 2}
    (workdir / "two.yaml").write_text(yaml.safe_dump(changed))
    target = "results/per_seed/labels/finetune/reviews/minilm_l1_short/seed0.parquet"
    snakemake(workdir, target, "--resources", "gpu=2", config="two.yaml", timeout=600)
    labels = pd.read_parquet(workdir / target)
    assert set(labels["split"]) == {"train_b", "test"} and labels["soft_label"].between(0, 1).all()
    log_file = workdir / "logs/train_weak/finetune/reviews/minilm_l1_short/seed0.log"
    log = log_file.read_text()
    assert "launching 2 processes" in log and "[rank 0/2]" in log
    assert json.loads(log_file.with_suffix(".job.json").read_text())["processes"] == 2
    curves = json.loads((workdir / "results/per_seed/training/finetune/reviews/weak/minilm_l1_short/seed0.json").read_text())
    assert curves["0"]["processes"] == 2

"""One training job (the weak supervisor, a ceiling or a student, for its seeds), in one process or
in several (one per GPU), and the files it writes.

The workflow's ``train.py`` builds a ``JobSpec`` from its rule. With ``processes == 1`` it runs here
in the same process; otherwise it is written to JSON and ``python -m weak2strong.train_job SPEC``
runs in every process started by ``torch.distributed.run``; only the main process writes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)


@dataclass
class JobSpec:
    step: str  # "weak" | "ceiling" | "student"
    seeds: list[int]
    split_files: dict[int, str]
    regime: dict  # as the workflow passes it (experiment.regime_from_params)
    model: dict  # ModelSpec.to_dict()
    dataset: str
    outputs: dict[str, str]  # "table" (Parquet) and "curves" (JSON)
    resources_dir: str = "resources"
    features_path: str | None = None
    labels_file: str | None = None
    loss: str | None = None
    loss_options: dict = field(default_factory=dict)
    processes: int = 1
    job: dict = field(default_factory=dict)  # io.current_job(): the origin stamped, the origins expected (several processes)

    @classmethod
    def from_json(cls, path: str | Path) -> JobSpec:
        d = json.loads(Path(path).read_text())
        d["split_files"] = {int(k): v for k, v in d["split_files"].items()}
        return cls(**d)


def over_seeds(step, seeds: list[int], split_files: dict[int, str], labels_file: str | None = None, **kwargs) -> tuple[pd.DataFrame, dict]:
    """Run one step (``weak_step``, ``ceiling_step`` or ``student_step``) for each seed, the seeds
    trained together where the regime can (``experiment.run_steps``: linear probes as one program).

    Returns the seeds' tables concatenated (a ``seed`` column tells them apart) and the training
    curves by seed. A job that runs many cheap cells (linear probes) pays Python's start-up once.
    """
    import time

    from .experiment import run_steps
    from .io import read_parquet

    all_labels = read_parquet(labels_file) if labels_file else None
    steps = []
    for seed in seeds:
        splits = read_parquet(split_files[seed])
        extra = {"labels": all_labels[all_labels["seed"] == seed]} if all_labels is not None else {}
        steps.append(step(splits=splits, seed=seed, **extra, **kwargs))
    start = time.perf_counter()
    done = run_steps(steps)
    compute = time.perf_counter() - start
    tables, curves = [], {}
    for seed, (table, result) in zip(seeds, done):
        tables.append(table)
        curves[seed] = {"steps": result.steps, "losses": result.losses, **result.extra}
        test = table[table["split"] == "test"]
        log.info("%s seed %d: test accuracy %.4f", step.__name__, seed, (test["hard_label"] == test["gt_label"]).mean())
    # benchmarks/overhead.py reads this line: time in model compute (training + prediction).
    log.info("model compute: %.3f s for %d seeds", compute, len(seeds))
    return pd.concat(tables, ignore_index=True), curves


def run(spec: JobSpec) -> None:
    """Train every seed of the job; the main process writes its two files (atomically)."""
    from .experiment import ceiling_step, regime_from_params, student_step, weak_step
    from .io import write_json, write_parquet
    from .models.registry import model_from_params
    from .schemas import LABELS_SCHEMA, PREDICTIONS_SCHEMA
    from .training.distributed import current

    kwargs = {}
    if spec.step == "student":
        kwargs = {"labels_file": spec.labels_file, "loss": spec.loss, "loss_options": dict(spec.loss_options)}
    step = {"weak": weak_step, "ceiling": ceiling_step, "student": student_step}[spec.step]
    table, curves = over_seeds(
        step, spec.seeds, spec.split_files, regime=regime_from_params(spec.regime), model=model_from_params(spec.model),
        dataset=spec.dataset, features_path=spec.features_path, resources_dir=spec.resources_dir, **kwargs,
    )
    procs = current()
    if procs.is_main:
        write_parquet(table, spec.outputs["table"], LABELS_SCHEMA if spec.step == "weak" else PREDICTIONS_SCHEMA)
        for seed in curves:
            curves[seed]["processes"] = procs.world
        write_json(curves, spec.outputs["curves"])


def run_in_processes(spec: JobSpec, spec_path: str | Path) -> None:
    """Run the job in ``spec.processes`` processes on this node, their output going to our stderr
    (the rule's log). A failure in any process fails the job, and nothing is written."""
    from .io import current_job
    from .training.distributed import launch_command

    spec.job = current_job()
    Path(spec_path).write_text(json.dumps(asdict(spec), indent=1))
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1])  # the package, also when it is not pip-installed
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "") if env.get("PYTHONPATH") else src
    cmd = launch_command(spec.processes, "weak2strong.train_job", str(spec_path))
    log.info("launching %d processes: %s", spec.processes, " ".join(cmd))
    sys.stderr.flush()
    done = subprocess.run(cmd, env=env, stdout=sys.stderr, stderr=sys.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"the {spec.processes}-process training job failed (exit {done.returncode}); see the log above.")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit("usage: python -m weak2strong.train_job JOB_SPEC.json")
    from .training.distributed import current

    procs = current()
    logging.basicConfig(
        level=logging.INFO if procs.is_main else logging.WARNING,
        format=f"%(asctime)s %(levelname)s [rank {procs.rank}/{procs.world}] %(name)s: %(message)s",
        force=True,
    )
    spec = JobSpec.from_json(argv[0])
    if spec.job:
        from .io import set_job

        set_job(**spec.job)
    run(spec)
    if procs.distributed:
        procs.accelerator.wait_for_everyone()
        procs.accelerator.end_training()  # tears down the process group cleanly


if __name__ == "__main__":
    main()

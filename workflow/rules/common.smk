# Config validation, the experiment plan, wildcard constraints and input functions.
import os
import sys
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # the package, also without `pip install -e .`
from weak2strong.plan import build_plan
from weak2strong.provenance import code_hash, loss_code_hash

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


wildcard_constraints:
    dataset="[A-Za-z0-9_.-]+",
    model="[A-Za-z0-9_.-]+",
    weak="[A-Za-z0-9_.-]+",
    strong="[A-Za-z0-9_.-]+",
    loss="[A-Za-z0-9_]+",
    seed="[0-9]+",
    layer="[0-9]+",
    length="[0-9]+",
    regime="linear_probe|finetune|lora|lp_ft",
    backbone="[A-Za-z0-9_.-]+",


def all_targets():
    return [
        "results/metrics/summary.csv",
        f"results/figures/accuracy_vs_strong.{FIG_EXT}",
        f"results/figures/pgr.{FIG_EXT}",
        f"results/figures/agreement.{FIG_EXT}",
        f"results/figures/misfit.{FIG_EXT}",
        f"results/figures/dynamics.{FIG_EXT}",
        f"results/figures/methods.{FIG_EXT}",
        "results/metrics/methods.csv",
    ] + ([f"results/figures/bootstrap.{FIG_EXT}"] if PLAN.chains else [])


def dataset_params(wildcards):
    """Everything that defines a dataset's pool (not its split sizes: those only change the splits)."""
    spec = PLAN.datasets[wildcards.dataset]
    options = {k: v for k, v in PLAN.dataset_options(wildcards.dataset).items() if k != "split_sizes"}
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


def regime_params(name):
    """The training options of model `name` (plan.py: `Plan.train_options`)."""
    return PLAN.train_options(name)


def train_processes(name):
    """Processes (one per GPU) a training job of model `name` runs: `gpus` in its hardware."""
    return PLAN.processes(name)


def metric_cells():
    """Every cell with the three files (each holding every seed) its metrics are computed from."""
    return [
        {
            "dataset": c.dataset, "weak": c.weak, "strong": c.strong, "loss": c.loss,
            "labels": f"results/labels/{REGIME}/{c.dataset}/{c.weak}.parquet",
            "ceiling": f"results/predictions/{REGIME}/{c.dataset}/ceiling/{c.strong}.parquet",
            "student": f"results/predictions/{REGIME}/{c.dataset}/student/{c.weak}/{c.strong}/{c.loss}.parquet",
        }
        for c in PLAN.cells
    ]


def student_curves():
    """Every student's training-curve files (JSON keyed by seed), with the cell they belong to."""
    per_seed = REGIME != "linear_probe"
    out = []
    for c in PLAN.cells:
        base = f"{REGIME}/{c.dataset}/student/{c.weak}/{c.strong}/{c.loss}"
        paths = [f"results/per_seed/training/{base}/seed{s}.json" for s in PLAN.seeds] if per_seed else [f"results/training/{base}.json"]
        out.append({"dataset": c.dataset, "weak": c.weak, "strong": c.strong, "loss": c.loss, "paths": paths})
    return out

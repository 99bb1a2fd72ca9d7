# What each job asks a scheduler for. Training jobs scale with the model; cheap rules run locally.
# Override per cluster in one place: slurm/config.yaml (partitions, default-resources, set-resources).


def local_gpu_count():
    """GPUs this machine shows (CUDA_VISIBLE_DEVICES, else nvidia-smi). On a machine that shows none,
    GPU jobs run on its CPUs, each on one thread (its `threads`), so as many run side by side as the run
    has cores: one slot per core (one at a time left a core idle while a generative or fine-tuning job ran)."""
    import shutil
    import subprocess

    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        shown = len([d for d in visible.split(",") if d.strip()])
    elif shutil.which("nvidia-smi"):
        try:
            listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        shown = sum(line.startswith("GPU ") for line in listed.splitlines())
    else:
        shown = 0
    return shown or local_cores()


def local_cores():
    """The cores this run was given (`--cores`), 1 where none were (a dry run)."""
    try:
        return max(1, int(workflow.cores))
    except (WorkflowError, TypeError, ValueError):
        return 1


# On a workstation, GPU jobs share the machine's GPUs (a training job fills its GPUs), or its cores
# where it shows no GPU; `--resources gpu=N` overrides the count. On a cluster the scheduler places
# GPU jobs itself.
if workflow.local_exec and "gpu" not in workflow.global_resources:
    workflow.register_resource("gpu", local_gpu_count())


def model_mem_mb(name, attempt):
    """Memory of one process training model `name` itself (fine-tuning, generative training); a retry after an
    out-of-memory failure asks for more."""
    return int(8000 + 40 * PLAN.models[name].size) * attempt


def model_runtime(name, attempt):
    """Minutes of one seed of training model `name` itself."""
    return int(30 + PLAN.models[name].size / 20) * attempt


def train_mem_mb(name, attempt):
    """Memory of a training job of the experiment's regime for model `name`."""
    if PLAN.on_features:
        return 4000 * attempt
    return model_mem_mb(name, attempt) * PLAN.processes(name)


def train_runtime(name, attempt):
    """Minutes of a training job of model `name`: every seed of a cell, or one seed."""
    if PLAN.on_features:
        return 10 * attempt
    return model_runtime(name, attempt) * (1 if PER_SEED_JOBS else len(PLAN.seeds))


def train_gpus(name):
    return 0 if PLAN.on_features else PLAN.processes(name)


def models_in_turn_mem_mb(names, attempt):
    """Memory of one process training models `names` in turn, seed after seed (one GPU at most,
    whatever a model's `gpus`): a bootstrapping chain."""
    return max(train_mem_mb(n, attempt) // PLAN.processes(n) for n in names)


def models_in_turn_runtime(names, attempt):
    """Minutes of one process training models `names` in turn: on features every seed's cell in a
    model's minutes, else each seed apart."""
    per_seed = sum(train_runtime(n, attempt) for n in names)
    return per_seed if PLAN.on_features else len(PLAN.seeds) * per_seed


def train_resources(model):
    """A training job's resources, for the model its wildcard `model` names (weak or strong)."""
    return {
        "mem_mb": lambda wc, attempt: train_mem_mb(getattr(wc, model), attempt),
        "runtime": lambda wc, attempt: train_runtime(getattr(wc, model), attempt),
        "gpu": lambda wc: train_gpus(getattr(wc, model)),
        "slurm_partition": lambda wc: PLAN.slurm_partition(train_gpus(getattr(wc, model))),
    }

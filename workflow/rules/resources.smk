# What each job asks a scheduler for. Training jobs scale with the model; cheap rules run locally.
# Override per cluster in one place: slurm/config.yaml (default-resources, set-resources).


def model_size(name):
    return PLAN.models[name].size  # millions of parameters actually used


def train_mem_mb(name):
    def inner(wildcards, attempt):
        base = 4000 if REGIME == "linear_probe" else int(8000 + 40 * model_size(name)) * train_processes(name)
        return base * attempt  # a retry after an out-of-memory failure asks for more

    return inner


def train_runtime(name):
    def inner(wildcards, attempt):
        base = 10 if REGIME == "linear_probe" else int(30 + model_size(name) / 20)
        return base * attempt  # minutes

    return inner


def train_gpus(name):
    return 0 if REGIME == "linear_probe" else train_processes(name)


def features_gpus(wildcards):
    """Feature extraction of big backbones wants a GPU (all of `gpus` with a `device_map`); small
    encoders are fine on CPUs."""
    hardware = features_hardware(wildcards)
    if hardware.get("device_map"):
        return int(hardware.get("gpus", 1))
    sizes = [m.backbone.n_params for m in PLAN.models.values() if m.backbone.name == wildcards.backbone]
    return 1 if sizes and max(sizes) > 200 else 0


def slurm_partition(gpus):
    """The cluster partition of a job that asks for ``gpus`` GPUs: `slurm_partitions` (set in
    slurm/config.yaml), so a job that needs no GPU never waits in the GPU queue."""
    partitions = {"cpu": "cpu", "gpu": "gpu", **(config.get("slurm_partitions") or {})}
    return partitions["gpu" if gpus else "cpu"]

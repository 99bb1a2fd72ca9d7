# What each job asks a scheduler for. Training jobs scale with the model; cheap rules run locally.
# Override per cluster in one place: profiles/slurm/config.yaml (set-resources).


def model_size(name):
    return PLAN.models[name].size  # millions of parameters actually used


def train_mem_mb(name):
    def inner(wildcards, attempt):
        base = 4000 if REGIME == "linear_probe" else int(8000 + 40 * model_size(name))
        return base * attempt  # retries after an out-of-memory failure ask for more

    return inner


def train_runtime(name):
    def inner(wildcards, attempt):
        base = 10 if REGIME == "linear_probe" else int(30 + model_size(name) / 20)
        return base * attempt

    return inner


def train_gpus(name):
    return 0 if REGIME == "linear_probe" else 1


def features_gpus(wildcards):
    return 1 if PLAN_BACKBONE_SIZE(wildcards) > 200 else 0


def PLAN_BACKBONE_SIZE(wildcards):
    sizes = [m.backbone.n_params for m in PLAN.models.values() if m.backbone.name == wildcards.backbone]
    return max(sizes) if sizes else 0

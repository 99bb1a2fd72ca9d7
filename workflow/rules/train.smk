# Weak supervisor → weak labels; strong ceiling; weak-to-strong students (one per loss).
# A weak model or a ceiling is trained once per dataset and shared by every cell that uses it.
#
# Job granularity: a linear-probe cell costs milliseconds per seed, so one job trains every seed
# of a cell (Python and torch start once, not once per seed). A fine-tuning seed costs minutes to
# hours, so there each seed is its own job (it reruns alone, and a cluster runs seeds in parallel)
# and `collect_seeds` gathers them into the same per-cell file. Either way the files downstream
# are the same: one Parquet per cell with a `seed` column.
PER_SEED_JOBS = REGIME != "linear_probe"


def cell_output(kind, cell, ext="parquet"):
    """Where a training rule writes: the per-cell file, or one file per seed to be collected."""
    if PER_SEED_JOBS:
        return f"results/per_seed/{kind}/{{regime}}/{cell}/seed{{seed}}.{ext}"
    return f"results/{kind}/{{regime}}/{cell}.{ext}"


def cell_log(rule_name, cell):
    return f"logs/{rule_name}/{{regime}}/{cell}" + ("/seed{seed}.log" if PER_SEED_JOBS else ".log")


def job_seeds(wildcards):
    return [int(wildcards.seed)] if PER_SEED_JOBS else PLAN.seeds


def split_inputs(wildcards):
    return [f"results/data/{wildcards.dataset}/splits/seed{s}.parquet" for s in job_seeds(wildcards)]


def weak_labels_input(wildcards):
    if PER_SEED_JOBS:
        return f"results/per_seed/labels/{wildcards.regime}/{wildcards.dataset}/{wildcards.weak}/seed{wildcards.seed}.parquet"
    return f"results/labels/{wildcards.regime}/{wildcards.dataset}/{wildcards.weak}.parquet"


rule train_weak:
    input:
        unpack(lambda wc: {"splits": split_inputs(wc), **training_input(wc.weak)(wc)}),
    output:
        labels=cell_output("labels", "{dataset}/{weak}"),
        curves=cell_output("training", "{dataset}/weak/{weak}", "json"),
    log:
        cell_log("train_weak", "{dataset}/{weak}"),
    benchmark:
        cell_log("train_weak", "{dataset}/{weak}").replace("logs/", "benchmarks/out/", 1).replace(".log", ".tsv")
    params:
        step="weak",
        seeds=job_seeds,
        model=lambda wc: model_params(wc.weak),
        regime=lambda wc: PLAN.train_options(wc.weak, wc.dataset),
        processes=lambda wc: train_processes(wc.weak),
        resources_dir=RES,
        code=CODE["train"],
        loss_code=LOSS_CODE["xent"],
    resources:
        mem_mb=lambda wc, attempt: train_mem_mb(wc.weak)(wc, attempt),
        runtime=lambda wc, attempt: train_runtime(wc.weak)(wc, attempt),
        gpu=lambda wc: train_gpus(wc.weak),
        slurm_partition=lambda wc: slurm_partition(train_gpus(wc.weak)),
    script:
        "../scripts/train.py"


rule train_ceiling:
    input:
        unpack(lambda wc: {"splits": split_inputs(wc), **training_input(wc.strong)(wc)}),
    output:
        predictions=cell_output("predictions", "{dataset}/ceiling/{strong}"),
        curves=cell_output("training", "{dataset}/ceiling/{strong}", "json"),
    log:
        cell_log("train_ceiling", "{dataset}/{strong}"),
    benchmark:
        cell_log("train_ceiling", "{dataset}/{strong}").replace("logs/", "benchmarks/out/", 1).replace(".log", ".tsv")
    params:
        step="ceiling",
        seeds=job_seeds,
        model=lambda wc: model_params(wc.strong),
        regime=lambda wc: PLAN.train_options(wc.strong, wc.dataset),
        processes=lambda wc: train_processes(wc.strong),
        resources_dir=RES,
        code=CODE["train"],
        loss_code=LOSS_CODE["xent"],
    resources:
        mem_mb=lambda wc, attempt: train_mem_mb(wc.strong)(wc, attempt),
        runtime=lambda wc, attempt: train_runtime(wc.strong)(wc, attempt),
        gpu=lambda wc: train_gpus(wc.strong),
        slurm_partition=lambda wc: slurm_partition(train_gpus(wc.strong)),
    script:
        "../scripts/train.py"


rule train_student:
    input:
        unpack(lambda wc: {"splits": split_inputs(wc), "labels": weak_labels_input(wc), **training_input(wc.strong)(wc)}),
    output:
        predictions=cell_output("predictions", "{dataset}/student/{weak}/{strong}/{loss}"),
        curves=cell_output("training", "{dataset}/student/{weak}/{strong}/{loss}", "json"),
    log:
        cell_log("train_student", "{dataset}/{weak}/{strong}/{loss}"),
    benchmark:
        cell_log("train_student", "{dataset}/{weak}/{strong}/{loss}").replace("logs/", "benchmarks/out/", 1).replace(".log", ".tsv")
    params:
        step="student",
        seeds=job_seeds,
        model=lambda wc: model_params(wc.strong),
        regime=lambda wc: PLAN.train_options(wc.strong, wc.dataset),
        processes=lambda wc: train_processes(wc.strong),
        loss_options=lambda wc: PLAN.loss_options(wc.loss, wc.strong),
        resources_dir=RES,
        code=CODE["train"],
        loss_code=lambda wc: LOSS_CODE[wc.loss],
    resources:
        mem_mb=lambda wc, attempt: train_mem_mb(wc.strong)(wc, attempt),
        runtime=lambda wc, attempt: train_runtime(wc.strong)(wc, attempt),
        gpu=lambda wc: train_gpus(wc.strong),
        slurm_partition=lambda wc: slurm_partition(train_gpus(wc.strong)),
    script:
        "../scripts/train.py"


if PER_SEED_JOBS:

    rule collect_seeds:
        input:
            lambda wc: [f"results/per_seed/{wc.kind}/{wc.regime}/{wc.cell}/seed{s}.parquet" for s in PLAN.seeds],
        output:
            "results/{kind}/{regime}/{cell}.parquet",
        log:
            "logs/collect_seeds/{kind}/{regime}/{cell}.log",
        wildcard_constraints:
            kind="labels|predictions",
            cell="[A-Za-z0-9_./-]+",
        localrule: True
        script:
            "../scripts/collect_seeds.py"

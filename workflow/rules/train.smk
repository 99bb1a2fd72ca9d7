# Weak supervisor → weak labels; strong ceiling; weak-to-strong students (one per loss).
# A weak model or a ceiling is trained once per dataset and shared by every cell that uses it.
# Either way (one job per cell, or one per seed collected by `collect_seeds`: common.smk's
# PER_SEED_JOBS) the files downstream are the same: one Parquet per cell with a `seed` column.


rule train_weak:
    input:
        unpack(lambda wc: {"splits": split_inputs(wc), **training_input(wc, wc.weak)}),
    output:
        labels=cell_output("labels", "{dataset}/{weak}"),
        curves=cell_output("training", "{dataset}/weak/{weak}", "json"),
    log:
        cell_log("train_weak", "{dataset}/{weak}"),
    benchmark:
        cell_log("train_weak", "{dataset}/{weak}", "benchmarks/out")
    wildcard_constraints:
        weak=one_of(PLAN.models),  # a family's supervisor (not a model) writes its labels by its own rule
    resources:
        **train_resources("weak"),
    params:
        **train_params("weak", "weak"),
        code=script_code("train", per_loss=True),
        loss_code=LOSS_CODE["xent"],
    script:
        "../scripts/train.py"


rule train_ceiling:
    input:
        unpack(lambda wc: {"splits": split_inputs(wc), **training_input(wc, wc.strong)}),
    output:
        predictions=cell_output("predictions", "{dataset}/ceiling/{strong}"),
        curves=cell_output("training", "{dataset}/ceiling/{strong}", "json"),
    log:
        cell_log("train_ceiling", "{dataset}/{strong}"),
    benchmark:
        cell_log("train_ceiling", "{dataset}/{strong}", "benchmarks/out")
    resources:
        **train_resources("strong"),
    params:
        **train_params("ceiling", "strong"),
        code=script_code("train", per_loss=True),
        loss_code=LOSS_CODE["xent"],
    script:
        "../scripts/train.py"


use rule train_ceiling as train_student with:
    input:
        unpack(lambda wc: {"splits": split_inputs(wc), "labels": weak_labels_input(wc), **training_input(wc, wc.strong)}),
    output:
        predictions=cell_output("predictions", "{dataset}/student/{weak}/{strong}/{loss}"),
        curves=cell_output("training", "{dataset}/student/{weak}/{strong}/{loss}", "json"),
    log:
        cell_log("train_student", "{dataset}/{weak}/{strong}/{loss}"),
    benchmark:
        cell_log("train_student", "{dataset}/{weak}/{strong}/{loss}", "benchmarks/out")
    params:
        **train_params("student", "strong"),
        loss_options=lambda wc: PLAN.loss_options(wc.loss, wc.strong),
        code=script_code("train", per_loss=True),
        loss_code=lambda wc: LOSS_CODE[wc.loss],


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
            cell=SEGMENTS_REGEX,  # names joined by slashes; no segment may be a dot or two
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("collect_seeds"),
        script:
            "../scripts/collect_seeds.py"

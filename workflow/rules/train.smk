# Weak supervisor → weak labels; strong ceiling; weak-to-strong students (one per loss).
# A weak model or a ceiling is trained once per (dataset, seed) and shared by every cell using it.


rule train_weak:
    input:
        unpack(lambda wc: {"split": f"results/data/{wc.dataset}/splits/seed{wc.seed}.parquet", **training_input(wc.weak)(wc)}),
    output:
        labels="results/labels/{regime}/{dataset}/{weak}/seed{seed}.parquet",
        log_json="results/training/{regime}/{dataset}/weak/{weak}/seed{seed}.json",
    log:
        "logs/train_weak/{regime}/{dataset}/{weak}/seed{seed}.log",
    params:
        model=lambda wc: model_params(wc.weak),
        regime=lambda wc: regime_params(),
        resources_dir=RES,
        code=CODE["train"],
    resources:
        mem_mb=lambda wc, attempt: train_mem_mb(wc.weak)(wc, attempt),
        runtime=lambda wc, attempt: train_runtime(wc.weak)(wc, attempt),
        gpu=lambda wc: train_gpus(wc.weak),
    script:
        "../scripts/train_weak.py"


rule train_ceiling:
    input:
        unpack(lambda wc: {"split": f"results/data/{wc.dataset}/splits/seed{wc.seed}.parquet", **training_input(wc.strong)(wc)}),
    output:
        predictions="results/predictions/{regime}/{dataset}/ceiling/{strong}/seed{seed}.parquet",
        log_json="results/training/{regime}/{dataset}/ceiling/{strong}/seed{seed}.json",
    log:
        "logs/train_ceiling/{regime}/{dataset}/{strong}/seed{seed}.log",
    params:
        model=lambda wc: model_params(wc.strong),
        regime=lambda wc: regime_params(),
        resources_dir=RES,
        code=CODE["train"],
    resources:
        mem_mb=lambda wc, attempt: train_mem_mb(wc.strong)(wc, attempt),
        runtime=lambda wc, attempt: train_runtime(wc.strong)(wc, attempt),
        gpu=lambda wc: train_gpus(wc.strong),
    script:
        "../scripts/train_ceiling.py"


rule train_student:
    input:
        unpack(
            lambda wc: {
                "split": f"results/data/{wc.dataset}/splits/seed{wc.seed}.parquet",
                "labels": f"results/labels/{wc.regime}/{wc.dataset}/{wc.weak}/seed{wc.seed}.parquet",
                **training_input(wc.strong)(wc),
            }
        ),
    output:
        predictions="results/predictions/{regime}/{dataset}/student/{weak}/{strong}/{loss}/seed{seed}.parquet",
        log_json="results/training/{regime}/{dataset}/student/{weak}/{strong}/{loss}/seed{seed}.json",
    log:
        "logs/train_student/{regime}/{dataset}/{weak}/{strong}/{loss}/seed{seed}.log",
    params:
        model=lambda wc: model_params(wc.strong),
        regime=lambda wc: regime_params(),
        loss_options=lambda wc: PLAN.loss_options(wc.loss),
        resources_dir=RES,
        code=CODE["train"],
    resources:
        mem_mb=lambda wc, attempt: train_mem_mb(wc.strong)(wc, attempt),
        runtime=lambda wc, attempt: train_runtime(wc.strong)(wc, attempt),
        gpu=lambda wc: train_gpus(wc.strong),
    script:
        "../scripts/train_student.py"

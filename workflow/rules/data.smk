# Fetching offline assets, building each dataset's pool and each seed's split.


rule fetch_bigbench_archive:
    output:
        f"{RES}/downloads/bigbench-1.0.0.tar.gz",
    log:
        "logs/fetch_bigbench_archive.log",
    localrule: True
    script:
        "../scripts/fetch_bigbench_archive.py"


rule fetch_bigbench_task:
    input:
        rules.fetch_bigbench_archive.output,
    output:
        f"{RES}/bigbench/{{task}}/task.json",
    log:
        "logs/fetch_bigbench_task/{task}.log",
    wildcard_constraints:
        task="[A-Za-z0-9_/]+",
    localrule: True
    script:
        "../scripts/fetch_bigbench_task.py"


rule fetch_model:
    output:
        directory(f"{RES}/models/{{backbone}}"),
    log:
        "logs/fetch_model/{backbone}.log",
    params:
        backbone="{backbone}",
    localrule: True
    script:
        "../scripts/fetch_model.py"


rule prepare_dataset:
    input:
        raw=raw_data_input,
    output:
        "results/data/{dataset}/examples.parquet",
    log:
        "logs/prepare_dataset/{dataset}.log",
    params:
        dataset=dataset_params,
        data_seed=config.get("data_seed", 0),
        code=CODE["data"],
    script:
        "../scripts/prepare_dataset.py"


rule split_dataset:
    input:
        "results/data/{dataset}/examples.parquet",
    output:
        "results/data/{dataset}/splits/seed{seed}.parquet",
    log:
        "logs/split_dataset/{dataset}/seed{seed}.log",
    params:
        sizes=lambda wc: PLAN.dataset_options(wc.dataset)["split_sizes"],
        code=CODE["data"],
    script:
        "../scripts/split_dataset.py"

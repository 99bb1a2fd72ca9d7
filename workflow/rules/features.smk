# Frozen features, once per (dataset, backbone, layer, length): a sweep over methods and seeds reuses them.


rule extract_features:
    input:
        unpack(features_family_inputs),  # what a family's models read besides theirs (a GFT adapter)
        examples="results/data/{dataset}/examples.parquet",
        model=lambda wc: [f for name in features_models(wc)[:1] for f in PLAN.model_files(name)],
    output:
        "results/features/{dataset}/{backbone}/layer{layer}-len{length}.safetensors",
    log:
        "logs/extract_features/{dataset}/{backbone}/layer{layer}-len{length}.log",
    benchmark:
        "benchmarks/out/extract_features/{dataset}/{backbone}/layer{layer}-len{length}.tsv"
    # Two on every machine: in bf16 another thread count moves the features enough to move a PGR with a
    # small gap by up to 0.07 (one thread per extraction was faster on 2 cores; benchmarks/README.md)
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 6000 * attempt,
        runtime=lambda wc, attempt: 60 * attempt,
        gpu=features_gpus,
        slurm_partition=lambda wc: PLAN.slurm_partition(features_gpus(wc)),
    params:
        origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
        model=features_model_params,
        max_length=lambda wc: int(wc.length),
        truncation=lambda wc: PLAN.truncation(wc.dataset),
        batch_size=PLAN.features.batch_size,
        device_map=lambda wc: features_hardware(wc).get("device_map"),
        bf16=lambda wc: features_hardware(wc).get("bf16", False),
        resources_dir=RES,
        code=script_code("extract_features"),
    script:
        "../scripts/extract_features.py"

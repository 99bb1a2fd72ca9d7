# Frozen features, once per (dataset, backbone, layer): a sweep over methods and seeds reuses them.


def features_model_params(wildcards):
    """Only what the features depend on: the backbone and the layer (not a model's lr or name)."""
    names = features_models(wildcards)
    if not names:
        raise ValueError(f"no model in the config uses backbone {wildcards.backbone} at layer {wildcards.layer} reading {wildcards.length} tokens")
    m = PLAN.models[names[0]]
    return {"backbone": m.backbone.to_dict(), "layer": m.layer}


def features_models(wildcards):
    return [name for name, m in PLAN.models.items()
            if m.backbone.name == wildcards.backbone and m.layer == int(wildcards.layer) and read_length(name) == int(wildcards.length)]


def features_hardware(wildcards):
    """`device_map` and `bf16` for extraction: from the hardware of the models reading these features
    (any of them asking for bf16 or a device map gets it)."""
    out = {}
    for name in features_models(wildcards):
        hw = PLAN.hardware(name)
        for key in ("device_map", "gpus", "bf16"):
            if hw.get(key):
                out[key] = hw[key]
    return out


def features_model_dir(wildcards):
    for m in PLAN.models.values():
        if m.backbone.name == wildcards.backbone:
            return [f"{RES}/models/{m.backbone.name}"] if m.backbone.source == "packaged" else []
    return []


rule extract_features:
    input:
        examples="results/data/{dataset}/examples.parquet",
        model=features_model_dir,
    output:
        "results/features/{dataset}/{backbone}/layer{layer}-len{length}.safetensors",
    log:
        "logs/extract_features/{dataset}/{backbone}/layer{layer}-len{length}.log",
    benchmark:
        "benchmarks/out/extract_features/{dataset}/{backbone}/layer{layer}-len{length}.tsv"
    params:
        model=features_model_params,
        max_length=lambda wc: int(wc.length),
        truncation=lambda wc: PLAN.truncation(wc.dataset),
        batch_size=config.get("features", {}).get("batch_size", 64),
        device_map=lambda wc: features_hardware(wc).get("device_map"),
        bf16=lambda wc: bool(features_hardware(wc).get("bf16", False)),
        resources_dir=RES,
        code=CODE["features"],
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 6000 * attempt,
        runtime=lambda wc, attempt: 60 * attempt,
        gpu=features_gpus,
        slurm_partition=lambda wc: slurm_partition(features_gpus(wc)),
    script:
        "../scripts/extract_features.py"

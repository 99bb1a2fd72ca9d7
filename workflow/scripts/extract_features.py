from weak2strong.data.pairs import is_pairs, scored_texts
from weak2strong.io import read_parquet
from weak2strong.models.features import extract_features
from weak2strong.models.registry import BackboneSpec, ModelSpec
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
m = snakemake.params.model
backbone = BackboneSpec(**m["backbone"])
spec = ModelSpec(f"{backbone.name}@{m['layer']}", backbone, m["layer"], backbone.finetune_lr)
examples = read_parquet(snakemake.input.examples)
pairwise = is_pairs(examples)  # reward modelling: each completion with its prompt, scored apart
first = [scored_texts(p, c) for p, c in zip(examples["prompt"], examples["c1"])] if pairwise else examples["text"].tolist()
extract_features(
    spec, first, examples["id"].tolist(), snakemake.output[0],
    snakemake.params.resources_dir, max_length=snakemake.params.max_length, batch_size=snakemake.params.batch_size,
    device_map=snakemake.params.device_map, bf16=snakemake.params.bf16, truncation_side=snakemake.params.truncation,
    second_texts=[scored_texts(p, c) for p, c in zip(examples["prompt"], examples["c2"])] if pairwise else None,
    adapter=snakemake.input.get("adapter"),
)

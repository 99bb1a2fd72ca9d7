from weak2strong.experiment import over_seeds, regime_from_params, weak_labels
from weak2strong.io import write_json, write_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.schemas import LABELS_SCHEMA
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
seeds = list(snakemake.params.seeds)
labels, curves = over_seeds(
    weak_labels, seeds, dict(zip(seeds, snakemake.input.splits)),
    regime=regime_from_params(snakemake.params.regime), model=model_from_params(snakemake.params.model),
    dataset=snakemake.wildcards.dataset, features_path=snakemake.input.get("features"), resources_dir=snakemake.params.resources_dir,
)
write_parquet(labels, snakemake.output.labels, LABELS_SCHEMA)
write_json(curves, snakemake.output.curves)

"""One training step for every seed of a job: the weak supervisor, the ceiling, or a student."""
from weak2strong.experiment import over_seeds, regime_from_params, strong_ceiling, student, weak_labels
from weak2strong.io import write_json, write_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.schemas import LABELS_SCHEMA, PREDICTIONS_SCHEMA
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
step = snakemake.params.step
seeds = list(snakemake.params.seeds)
kwargs = {}
if step == "student":
    kwargs = {"labels_file": snakemake.input.labels, "loss": snakemake.wildcards.loss, "loss_options": dict(snakemake.params.loss_options)}
table, curves = over_seeds(
    {"weak": weak_labels, "ceiling": strong_ceiling, "student": student}[step], seeds, dict(zip(seeds, snakemake.input.splits)),
    regime=regime_from_params(snakemake.params.regime), model=model_from_params(snakemake.params.model),
    dataset=snakemake.wildcards.dataset, features_path=snakemake.input.get("features"), resources_dir=snakemake.params.resources_dir,
    **kwargs,
)
write_parquet(table, snakemake.output[0], LABELS_SCHEMA if step == "weak" else PREDICTIONS_SCHEMA)
write_json(curves, snakemake.output.curves)

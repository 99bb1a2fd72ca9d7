import pandas as pd

from weak2strong.experiment import regime_from_params, weak_labels
from weak2strong.io import write_json, write_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.schemas import LABELS_SCHEMA
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
splits = pd.read_parquet(snakemake.input.split)
labels, result = weak_labels(
    regime_from_params(snakemake.params.regime), model_from_params(snakemake.params.model), splits,
    int(snakemake.wildcards.seed), snakemake.wildcards.dataset,
    features_path=snakemake.input.get("features"), resources_dir=snakemake.params.resources_dir,
)
test = labels[labels["split"] == "test"]
log.info("weak %s test accuracy %.4f", snakemake.wildcards.weak, (test["hard_label"] == test["gt_label"]).mean())
write_parquet(labels, snakemake.output.labels, LABELS_SCHEMA)
write_json({"steps": result.steps, "losses": result.losses}, snakemake.output.log_json)

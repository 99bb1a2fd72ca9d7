"""One vision cell, every seed: the weak probe's labels, a ceiling, or a student (with and without views)."""
import pandas as pd

from weak2strong.experiment import regime_from_params
from weak2strong.families.vision.steps import VISION_TABLE_SCHEMA, ceiling_step, student_step, weak_step
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.features import load_features
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
cell = snakemake.params.cell
cfg = regime_from_params(snakemake.params.regime).train  # the linear_probe regime's loop options
features = load_features(snakemake.input.features)
inputs = dict(snakemake.input.items())
labels = read_parquet(inputs["labels"]) if "labels" in inputs else None
view_features = load_features(inputs["views"]) if "views" in inputs else None
n_classes = int(read_parquet(snakemake.input.pool)["label"].max()) + 1  # every seed's labels are over all of them
tables = []
for seed, split_file in zip(snakemake.params.seeds, snakemake.input.splits):
    split = read_parquet(split_file)
    if cell["role"] == "weak":
        table = weak_step(split, features, n_classes, cfg, seed, cell["backbone"], own_head=cell.get("own_head", False))
    elif cell["role"] == "ceiling":
        table = ceiling_step(split, features, n_classes, cfg, seed, cell["backbone"])
    else:
        table = student_step(split, labels[labels["seed"] == seed], features, view_features, cell["loss"],
                             snakemake.params.loss_options, cfg, seed, cell["backbone"], cell["weak"])
    for variant, part in table[table["split"] == "test"].groupby("variant"):
        log.info("seed %d, %s%s: test accuracy %.3f", seed, cell["role"], f" ({variant})" if variant else "",
                 (part["hard_label"] == part["gt_label"]).mean())
    tables.append(table)
write_parquet(pd.concat(tables, ignore_index=True), snakemake.output[0], VISION_TABLE_SCHEMA)

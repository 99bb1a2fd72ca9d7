"""The easy-to-hard study over seeds: one row per (dataset, training set, labels)."""
import pandas as pd

from weak2strong.io import atomic_path, read_parquet
from weak2strong.training_sets import summarize
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
table = summarize(pd.concat([read_parquet(p) for p in snakemake.input], ignore_index=True), snakemake.params.level)
with atomic_path(snakemake.output[0]) as tmp:
    table.to_csv(tmp, index=False, float_format="%.4f")

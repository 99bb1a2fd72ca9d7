"""Every chess bootstrapping chain and seed in one table (the figure's data), with the mean exact match
per rung over seeds in the log."""
import pandas as pd

from weak2strong.io import atomic_path, read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
table = pd.concat([read_parquet(c["path"]) for c in snakemake.params.cells], ignore_index=True)
write_parquet(table, snakemake.output.parquet)
with atomic_path(snakemake.output.csv) as tmp:  # a killed job leaves no half-written table
    table.to_csv(tmp, index=False)
log.info("\n%s", table.groupby(["chain", "kind", "step", "model"], sort=False)["test_acc"].agg(["mean", "count"]).to_string())

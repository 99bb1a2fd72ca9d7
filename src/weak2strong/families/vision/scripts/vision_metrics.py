"""Vision metrics per (weak, strong, loss, views, seed) and their summary over seeds."""
import pandas as pd

from weak2strong.families.vision.steps import per_seed_rows, summarize
from weak2strong.io import atomic_path, read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
options = snakemake.params.metrics
# each file holds one model's rows: index them by that model
weak = {t["model"].iloc[0]: t for t in map(read_parquet, snakemake.input.labels)}
ceiling = {t["model"].iloc[0]: t for t in map(read_parquet, snakemake.input.ceilings)}
rows = []
for path in snakemake.input.students:
    students = read_parquet(path)
    rows += per_seed_rows(weak[students["weak_model"].iloc[0]], ceiling[students["model"].iloc[0]], students)
per_seed = pd.DataFrame(rows)
summary = summarize(per_seed, options["ci_level"], options["min_weak_confidence"])
for _, row in summary[summary["flag"] != ""].iterrows():
    log.warning("%s -> %s %s (%s): %s (kept, flagged)", row["weak"], row["strong"], row["loss"], row["variant"], row["flag"])
write_parquet(per_seed, snakemake.output.per_seed)
write_parquet(summary, snakemake.output.summary)
with atomic_path(snakemake.output.csv) as tmp:
    summary.to_csv(tmp, index=False, float_format="%.4f")

from weak2strong.io import atomic_path, write_parquet
from weak2strong.metrics import methods_table, per_seed_table, summarize
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
per_seed = per_seed_table(snakemake.params.cells, snakemake.params.regime, snakemake.params.early_stopping)
if snakemake.params.early_stopping == "ground_truth":
    log.warning("students were early-stopped on ground truth: every number here is an ORACLE upper bound")
summary = summarize(per_seed, n_boot=snakemake.params.n_bootstrap)
flagged = summary[summary["n_flagged"] > 0]
if len(flagged):
    log.warning("%d cells have seeds where the ceiling is not above the weak model (kept, flagged)", len(flagged))
write_parquet(per_seed, snakemake.output.per_seed)
write_parquet(summary, snakemake.output.summary_parquet)
with atomic_path(snakemake.output.summary_csv) as tmp:
    summary.to_csv(tmp, index=False, float_format="%.4f")
methods = methods_table(per_seed, n_boot=snakemake.params.n_bootstrap)
with atomic_path(snakemake.output.methods_csv) as tmp:
    methods.to_csv(tmp, index=False, float_format="%.4f")

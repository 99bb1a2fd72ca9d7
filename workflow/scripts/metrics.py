from weak2strong.blocks import MetricsOptions
from weak2strong.io import atomic_path, write_parquet
from weak2strong.metrics import methods_table, per_seed_table, summarize
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
diagnostics = MetricsOptions(**snakemake.params.metrics)  # the interval level and the degenerate-supervision floors
level = diagnostics.ci_level
per_seed = per_seed_table(snakemake.params.cells, snakemake.params.regime, snakemake.params.early_stopping, diagnostics)
if snakemake.params.early_stopping == "ground_truth":
    log.warning("students were early-stopped on ground truth: every number here is an ORACLE upper bound")
summary = summarize(per_seed, level, diagnostics)
for _, row in summary[summary["flag"] != ""].iterrows():
    log.warning("%s %s -> %s %s: %s (kept, flagged)", row["dataset"], row["weak"], row["strong"], row["loss"], row["flag"])
write_parquet(per_seed, snakemake.output.per_seed)
write_parquet(summary, snakemake.output.summary_parquet)
with atomic_path(snakemake.output.summary_csv) as tmp:
    summary.to_csv(tmp, index=False, float_format="%.4f")
methods = methods_table(per_seed, level=level)
write_parquet(methods, snakemake.output.methods_parquet)
with atomic_path(snakemake.output.methods_csv) as tmp:
    methods.to_csv(tmp, index=False, float_format="%.4f")

"""Chess weak-to-strong metrics: per (weak, strong, seed) rates, and their summary over seeds."""
import pandas as pd

from weak2strong.families.chess.steps import per_seed_row, summarize
from weak2strong.io import atomic_path, read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
p = snakemake.params
puzzles = read_parquet(snakemake.input.puzzles)
rows = []
for cell in p.cells:
    zero_shot = read_parquet(cell["zero_shot"]) if cell["zero_shot"] else None
    row = per_seed_row(read_parquet(cell["labels"]), read_parquet(cell["ceiling"]), read_parquet(cell["student"]), zero_shot, puzzles)
    rows.append({"weak": cell["weak"], "strong": cell["strong"], "seed": cell["seed"], "strong_size": p.sizes[cell["strong"]], **row})
per_seed = pd.DataFrame(rows)
summary = summarize(per_seed, p.level)
for r in summary.itertuples():
    log.info("%s → %s: weak %.3f, student %.3f, ceiling %.3f, PGR %.2f [%.2f, %.2f] (%s)%s", r.weak, r.strong, r.weak_acc_mean,
             r.student_acc_mean, r.ceiling_acc_mean, r.pgr_of_means, r.pgr_of_means_ci_low, r.pgr_of_means_ci_high,
             r.pgr_of_means_ci_status, f"; {r.flags}" if r.flags else "")
write_parquet(per_seed, snakemake.output.per_seed)
write_parquet(summary, snakemake.output.summary_parquet)
with atomic_path(snakemake.output.summary_csv) as tmp:  # a killed job leaves no half-written table
    summary.to_csv(tmp, index=False)

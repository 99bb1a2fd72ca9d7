"""Chess easy-to-hard: per (training set, labels, seed) the exact match on the hard test puzzles, on all
of them and per Elo band, with the weak model's and the zero-shot strong model's on the same puzzles;
and the summary over seeds."""
import pandas as pd

from weak2strong.families.chess.steps import e2h_row, elo_bands
from weak2strong.io import atomic_path, read_parquet, write_parquet
from weak2strong.training_sets import summarize
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
bands = elo_bands(snakemake.params.cutoffs, snakemake.params.hard_floor)
rows = []
for cell in snakemake.params.cells:
    student = read_parquet(cell["path"])
    weak = read_parquet(cell["weak_labels"]).set_index("id")["correct"]
    zero_shot = read_parquet(cell["zero_shot"]).set_index("id")["correct"] if cell["zero_shot"] else None
    rows.append({"dataset": "chess", "train_set": str(cell["train_set"]), "labels": cell["labels"], "seed": cell["seed"],
                 "n_train": int(student["n_train"].iloc[0]) if len(student) else 0,
                 **e2h_row(student, weak, zero_shot, snakemake.params.hard_floor, bands)})
table = pd.DataFrame(rows)
summary = summarize(table, snakemake.params.level, selection="puzzle rating")
write_parquet(summary, snakemake.output.parquet)
with atomic_path(snakemake.output.csv) as tmp:  # a killed job leaves no half-written table
    summary.to_csv(tmp, index=False)
log.info("\n%s", summary[["train_set", "labels", "n_train_mean", "hard_test_acc_mean"]].to_string(index=False))

"""Chess easy-to-hard: per (training set, labels, seed) the hard-test exact match, with the weak
model's and the zero-shot strong model's on the same puzzles; and the summary over seeds."""
import pandas as pd

from weak2strong.easy_to_hard import summarize
from weak2strong.io import read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
rows = []
for cell in snakemake.params.cells:
    student = read_parquet(cell["path"])
    hard = student["id"]
    weak = read_parquet(cell["weak_labels"]).set_index("id")["correct"]
    row = {"dataset": "chess", "train_set": str(cell["train_set"]), "labels": cell["labels"], "seed": cell["seed"],
           "n_train": int(student["n_train"].iloc[0]) if len(student) else 0, "n_test_hard": len(student),
           "hard_test_acc": student["correct"].mean(), "weak_hard_test_acc": weak.reindex(hard).mean()}
    if cell["zero_shot"]:
        row["zero_shot_hard_test_acc"] = read_parquet(cell["zero_shot"]).set_index("id")["correct"].reindex(hard).mean()
    rows.append(row)
table = pd.DataFrame(rows)
summary = summarize(table, snakemake.params.level, selection="puzzle rating")
write_parquet(summary, snakemake.output.parquet)
summary.to_csv(snakemake.output.csv, index=False)
log.info("\n%s", summary[["train_set", "labels", "n_train_mean", "hard_test_acc_mean"]].to_string(index=False))

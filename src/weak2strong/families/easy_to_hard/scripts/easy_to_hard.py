"""One training set of the easy-to-hard study, every seed: its split files and the student's scores."""
import pandas as pd

from weak2strong.experiment import regime_from_params
from weak2strong.families.easy_to_hard.steps import easy_to_hard_split, run_cell
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.features import features_are_pairwise, load_features
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
train_set = snakemake.wildcards.train_set
difficulty = read_parquet(snakemake.input.difficulty)
labels = read_parquet(snakemake.input.labels)
features = load_features(snakemake.input.features)
pairwise = features_are_pairwise(snakemake.input.features)
cfg = regime_from_params(snakemake.params.regime).train
rows = []
for seed, split_file, out in zip(snakemake.params.seeds, snakemake.input.splits, snakemake.output.splits):
    seed_split = read_parquet(split_file)
    split = easy_to_hard_split(seed_split, difficulty, train_set, snakemake.params.cutoff_rank, snakemake.params.hard_floor,
                               snakemake.params.train_sets, snakemake.params.train_size, int(seed))
    write_parquet(split, out)
    for row in run_cell(split, labels[labels["seed"] == seed], features, cfg, seed, pairwise,
                        full_test=seed_split[seed_split["split"] == "test"]):
        rows.append({"dataset": snakemake.wildcards.dataset, "train_set": train_set, "seed": int(seed),
                     "strong": snakemake.params.strong, "weak": snakemake.params.weak, **row})
        log.info("seed %d, %s labels: %d training examples, hard-test accuracy %.3f", seed, row["labels"], row["n_train"],
                 row["hard_test_acc"])
write_parquet(pd.DataFrame(rows), snakemake.output.table)

"""Each seed's train_a / train_b / test of the vision pool."""
from weak2strong.families.vision.steps import seed_split
from weak2strong.io import read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
pool = read_parquet(snakemake.input[0])
for seed, out in zip(snakemake.params.seeds, snakemake.output):
    write_parquet(seed_split(pool, snakemake.params.split_sizes, seed), out)

"""One seed's chess split: whole games into train_a, train_b and test."""
from weak2strong.families.chess.steps import split_puzzles
from weak2strong.io import read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
seed = int(snakemake.wildcards.seed)
split = split_puzzles(read_parquet(snakemake.input[0]), snakemake.params.sizes, seed)
log.info("seed %d: %s", seed, split["split"].value_counts().to_dict())
write_parquet(split[["id", "split", "rating", "group"]], snakemake.output[0])

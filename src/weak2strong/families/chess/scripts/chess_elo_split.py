"""One seed's easy-to-hard split by Elo: train_b puzzles of the training set and every test puzzle,
with the rating column (the hard ones are those rated at or above the hard floor)."""
from weak2strong.families.chess.steps import elo_split
from weak2strong.io import read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
split = elo_split(read_parquet(snakemake.input[0]), snakemake.wildcards.train_set, snakemake.params.hard_floor,
                  snakemake.params.train_size, int(snakemake.wildcards.seed))
counts = split["split"].value_counts()
test = split[split["split"] == "test"]
log.info("training set %s: %d training puzzles, %d test puzzles (%d hard)", snakemake.wildcards.train_set, counts.get("train", 0),
         len(test), int((test["rating"] >= snakemake.params.hard_floor).sum()))
write_parquet(split, snakemake.output[0])

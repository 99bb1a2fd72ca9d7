from weak2strong.data.pairs import with_pair_columns
from weak2strong.data.splits import split_examples
from weak2strong.io import read_parquet, write_parquet
from weak2strong.schemas import SPLITS_SCHEMA
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
pool = read_parquet(snakemake.input[0])
split = split_examples(pool, dict(snakemake.params.sizes), int(snakemake.wildcards.seed), snakemake.wildcards.dataset)
log.info("split sizes: %s", split.groupby("split")["label"].agg(["size", "mean"]).to_dict())
write_parquet(split, snakemake.output[0], with_pair_columns(SPLITS_SCHEMA, split))

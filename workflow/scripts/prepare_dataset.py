from weak2strong.data.examples import EXAMPLES_SCHEMA, UNLABELLED_SCHEMA
from weak2strong.data.near_duplicates import NEAR_DUPLICATE_THRESHOLD
from weak2strong.data.pairs import with_pair_columns
from weak2strong.data.prepare import prepare_pool_and_unlabelled
from weak2strong.data.registry import resolve_dataset
from weak2strong.io import write_parquet
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = snakemake.params.dataset["options"]
spec = resolve_dataset(snakemake.wildcards.dataset, opts)
raw = snakemake.input.raw
pool, unlabelled = prepare_pool_and_unlabelled(
    spec, snakemake.params.data_seed, opts.get("max_examples"), raw_file=raw if spec.source in ("bigbench", "vader") else None,
    near_duplicates=opts.get("near_duplicates", NEAR_DUPLICATE_THRESHOLD), revision=opts.get("revision"))
write_parquet(pool, snakemake.output.examples, with_pair_columns(EXAMPLES_SCHEMA, pool))
write_parquet(unlabelled, snakemake.output.unlabelled, with_pair_columns(UNLABELLED_SCHEMA, unlabelled))

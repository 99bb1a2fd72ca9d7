"""One chess bootstrapping chain, one seed: W → M1 → … → S on fresh chunks of train_b, direct W → S
and the ceiling, each scored on test (steps.bootstrap_chain)."""
from weak2strong.families.chess.steps import bootstrap_chain
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
p = snakemake.params
seed = int(snakemake.wildcards.seed)
puzzles = read_parquet(snakemake.input.puzzles)
rows = read_parquet(snakemake.input.split)[["id", "split"]].merge(puzzles, on="id", how="left", validate="one_to_one")
chain = [model_from_params(m) for m in p.chain]
table = bootstrap_chain(chain, p.resources_dir, p.regime, p.train, rows, seed, p.max_new_tokens, p.generate_batch_size, p.ranking,
                        p.labels)
table.insert(0, "chain", snakemake.wildcards.chain)
table.insert(0, "dataset", "chess")
log.info("\n%s", table.to_string(index=False))
write_parquet(table, snakemake.output[0])

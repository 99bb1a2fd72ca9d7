import pandas as pd

from weak2strong.experiment import regime_from_params
from weak2strong.families.bootstrap.steps import run_chain
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
chain = [model_from_params(m) for m in snakemake.params.chain]
regimes = {m.name: regime_from_params(r) for m, r in zip(chain, snakemake.params.regimes)}
features = dict(zip([m.name for m in chain], snakemake.input.get("features", [])))
tables = []
for seed, split_file in zip(snakemake.params.seeds, snakemake.input.splits):
    table = run_chain(regimes, chain, read_parquet(split_file), seed, snakemake.params.loss, dict(snakemake.params.loss_options),
                      features=features, resources_dir=snakemake.params.resources_dir)
    log.info("seed %d: %s", seed, table[["kind", "model", "test_acc"]].to_dict("records"))
    tables.append(table.assign(dataset=snakemake.wildcards.dataset, chain=snakemake.wildcards.chain))
write_parquet(pd.concat(tables, ignore_index=True), snakemake.output[0])

"""One simulated weak supervisor on one dataset, every seed: its labels (schemas.LABELS_SCHEMA)."""
import pandas as pd

from weak2strong.experiment import regime_from_params
from weak2strong.families.simulated.plan import Supervisor
from weak2strong.families.simulated.steps import simulate
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.features import features_are_pairwise, load_features
from weak2strong.schemas import LABELS_SCHEMA
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
sup = Supervisor(**snakemake.params.supervisor)
inputs = dict(snakemake.input.items())
features = load_features(inputs["features"]) if "features" in inputs else None
pairwise = features_are_pairwise(inputs["features"]) if "features" in inputs else False
matched = read_parquet(inputs["matched"]) if "matched" in inputs else None
cfg = regime_from_params(snakemake.params.regime).train
tables = []
for seed, split_file in zip(snakemake.params.seeds, snakemake.input.splits):
    seed_matched = matched[matched["seed"] == seed] if matched is not None else None
    tables.append(simulate(sup, read_parquet(split_file), seed, snakemake.wildcards.dataset, features, seed_matched, cfg, pairwise))
write_parquet(pd.concat(tables, ignore_index=True), snakemake.output.labels, LABELS_SCHEMA)

"""Each example's difficulty: the smallest model of the ladder right on it in every seed."""
from weak2strong.experiment import regime_from_params
from weak2strong.families.easy_to_hard.steps import compute_difficulty
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.features import features_are_pairwise, load_features
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
ladder = list(snakemake.params.ladder)
features = {model: load_features(path) for model, path in zip(ladder, snakemake.input.features)}
cfgs = {model: regime_from_params(options).train for model, options in dict(snakemake.params.regimes).items()}
table = compute_difficulty(read_parquet(snakemake.input.examples), features, ladder, list(snakemake.params.seeds),
                           int(snakemake.params.folds), cfgs, pairwise=features_are_pairwise(snakemake.input.features[0]))
write_parquet(table, snakemake.output[0])

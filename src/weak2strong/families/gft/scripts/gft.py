"""Generative fine-tuning of one decoder on one dataset's unlabelled texts (families/gft/steps.py)."""
from weak2strong.families.gft.steps import run_gft
from weak2strong.io import read_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
run_gft(model_from_params(snakemake.params.model), read_parquet(snakemake.input.unlabelled), snakemake.output[0],
        snakemake.params.resources_dir, snakemake.params.seed,
        snakemake.wildcards.dataset)

"""One decoder prompted on one dataset, every seed and mode (steps.py of the prompting family)."""
import torch

from weak2strong.families.prompting.plan import MODES, PromptingPlan
from weak2strong.families.prompting.steps import run_prompting
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.decoder import load_causal_lm, load_decoder_tokenizer
from weak2strong.models.registry import model_from_params
from weak2strong.schemas import PREDICTIONS_SCHEMA
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
spec = model_from_params(snakemake.params.model)
device = "cuda" if torch.cuda.is_available() else "cpu"
model = load_causal_lm(spec, snakemake.params.resources_dir, device)
tokenizer = load_decoder_tokenizer(spec, snakemake.params.resources_dir)
splits = {seed: read_parquet(path) for seed, path in zip(snakemake.params.seeds, snakemake.input.splits)}
tables = run_prompting(model, tokenizer, snakemake.params.instruction, splits, read_parquet(snakemake.input.weak_labels),
                       PromptingPlan(**snakemake.params.prompting), snakemake.wildcards.model, snakemake.wildcards.dataset)
for mode, path in zip(MODES, snakemake.output):
    write_parquet(tables[mode], path, PREDICTIONS_SCHEMA)

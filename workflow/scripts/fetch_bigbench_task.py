from pathlib import Path

from weak2strong.assets import extract_bigbench_task
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
extract_bigbench_task(Path(snakemake.input[0]), snakemake.wildcards.task, Path(snakemake.output[0]))

from pathlib import Path

from weak2strong.assets import fetch_bigbench_archive
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
fetch_bigbench_archive(Path(snakemake.output[0]))

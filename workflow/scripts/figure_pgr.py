import pandas as pd

from weak2strong.plots import plot_pgr, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
fig = plot_pgr(pd.read_parquet(snakemake.input.summary))
save_figure(fig, snakemake.output[0], dpi=snakemake.params.dpi)

import pandas as pd

from weak2strong.plots import plot_agreement, only_losses, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_agreement(only_losses(pd.read_parquet(snakemake.input.summary), opts.get("losses")), dict(snakemake.params.sizes))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

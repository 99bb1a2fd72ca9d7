import pandas as pd

from weak2strong.plots import plot_accuracy_vs_strong, only_losses, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_accuracy_vs_strong(only_losses(pd.read_parquet(snakemake.input.summary), opts.get("losses")), dict(snakemake.params.sizes), logx=opts.get("logx", True))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

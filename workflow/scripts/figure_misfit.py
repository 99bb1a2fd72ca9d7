import pandas as pd

from weak2strong.plots import plot_misfit, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_misfit(pd.read_parquet(snakemake.input.per_seed))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

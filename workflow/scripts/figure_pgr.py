import pandas as pd

from weak2strong.plots import plot_pgr, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_pgr(pd.read_parquet(snakemake.input.summary), ylim=tuple(opts.get("ylim", (-1.5, 1.5))))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

import pandas as pd

from weak2strong.io import read_parquet
from weak2strong.plots import plot_bootstrap, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_bootstrap(pd.concat([read_parquet(p) for p in snakemake.input], ignore_index=True))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

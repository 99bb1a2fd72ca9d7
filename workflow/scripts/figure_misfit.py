from weak2strong.io import read_parquet
from weak2strong.plots import only_losses, plot_misfit, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_misfit(only_losses(read_parquet(snakemake.input.per_seed), opts.get("losses")))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

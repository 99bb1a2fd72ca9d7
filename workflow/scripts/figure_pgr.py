from weak2strong.io import read_parquet
from weak2strong.plots import only_losses, plot_pgr, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_pgr(only_losses(read_parquet(snakemake.input.summary), opts.get("losses")), ylim=tuple(opts.get("ylim", (-1.5, 1.5))))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

from weak2strong.io import read_parquet
from weak2strong.plots import only_losses, plot_accuracy_vs_strong, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
fig = plot_accuracy_vs_strong(only_losses(read_parquet(snakemake.input.summary), opts.get("losses")), dict(snakemake.params.sizes), logx=opts.get("logx", True))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

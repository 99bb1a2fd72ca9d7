import pandas as pd

from weak2strong.plots import only_losses, plot_methods, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
methods = only_losses(pd.read_csv(snakemake.input.methods), opts.get("losses"))
save_figure(plot_methods(methods), snakemake.output[0], dpi=opts.get("dpi", 150))

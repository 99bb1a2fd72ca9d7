import json

from weak2strong.plots import dynamics_table, plot_dynamics, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
opts = dict(snakemake.params.options)
cells = []
for cell in snakemake.params.cells:
    curves = {}
    for path in cell["paths"]:
        curves.update(json.load(open(path)))
    cells.append({**{k: cell[k] for k in ("dataset", "weak", "strong", "loss")}, "curves": curves})
fig = plot_dynamics(dynamics_table(cells))
save_figure(fig, snakemake.output[0], dpi=opts.get("dpi", 150))

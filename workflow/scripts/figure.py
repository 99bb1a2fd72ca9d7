"""One figure of src/weak2strong/figures.py, drawn by the function its entry names (plots.draw_<name>)."""
from weak2strong.plots import draw_figure, save_figure
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
options = dict(snakemake.params.options)
fig = draw_figure(snakemake.params.drawn_by, dict(snakemake.input.items()), options, dict(snakemake.params.context))
save_figure(fig, snakemake.output[0], dpi=options.get("dpi", 150))

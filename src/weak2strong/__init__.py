"""weak2strong: weak-to-strong generalization experiments (Burns et al., 2023) as a library.

The Snakemake workflow in ``workflow/`` calls into this package; everything scientific
(data, models, losses, training, metrics, plots) lives here and is unit-tested.
"""

__version__ = "0.1.0"

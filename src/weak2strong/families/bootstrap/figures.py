"""The bootstrapping family's figure (entries as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "bootstrap", ("bootstrap",),
        "Bootstrapping: test accuracy of each model of the chain W → M1 → … → S, each trained on the previous model's "
        "labels on fresh data (solid), against direct W → S (square) and the ceiling (S on ground truth, black), mean "
        "over seeds with 95% t-intervals.",
        options=("dpi",), needs="bootstrap", draw="weak2strong.families.bootstrap.plots:draw_bootstrap",
    ),
]

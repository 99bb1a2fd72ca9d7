"""The vision family's figures (entries as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "vision", ("vision",),
        "Vision (k classes, most likely class): test accuracy of the weak probe (grey), each student (a bar per loss; "
        "hatched: also trained on augmented views of its images, with the weak label of the original), and the "
        "ceiling (the strong probe on ground truth, black line), per strong backbone; PGR of the seed-mean accuracies "
        "above each student. Means over seeds with 95% t-intervals; PGR intervals in vision.csv.",
        options=("dpi",), needs="vision", draw="weak2strong.families.vision.plots:draw_vision",
    ),
]

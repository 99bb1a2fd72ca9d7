"""The simulated family's figures (entries as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "simulated_errors", ("summary",),
        "Which weak-label errors do students imitate? PGR against the supervisor's own test accuracy for simulated "
        "supervisors: a probe on a few of the student's own feature coordinates (systematic errors the student can "
        "learn), random flips at the same error rate (per seed and split) reported with calibrated confidence, the "
        "same flips reported with high confidence (soft labels only), and flips of the longest texts at that rate "
        "(errors that follow one visible property). Points sharing a label (k4, ...) are at matched accuracy. PGR of "
        "seed-mean accuracies with Fieller's 95% interval; the ceiling is the student trained on ground truth.",
        options=("dpi", "losses"), needs="simulated", draw="weak2strong.families.simulated.plots:draw_simulated_errors",
    ),
]

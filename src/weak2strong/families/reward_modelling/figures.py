"""The reward-modelling family's figure (an entry as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "rm_pgr", ("summary",),
        "Reward modelling: performance gap recovered in pairwise accuracy (is the preferred completion scored higher?), "
        "per (weak → strong) pair and loss, one panel per comparison dataset. Each model scores a completion as "
        "r = head(features(prompt + completion)) and p(c1 preferred) = sigmoid(r1 − r2); the weak reward model's p is "
        "the student's soft label. Bars: PGR of the seed-mean accuracies; error bars: Fieller's 95% interval over seeds.",
        options=("dpi", "losses", "ylim"), needs="reward_modelling",
        draw="weak2strong.families.reward_modelling.plots:draw_rm_pgr",
    ),
]

"""The easy-to-hard study's figure (an entry as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "easy_to_hard", ("easy_to_hard",),
        "Easy-to-hard generalization: the student's balanced accuracy on the hard test examples (those no model "
        "smaller than the student solves in every seed; top) and its accuracy on the whole test set (bottom), each "
        "on its own axis, against the examples it was trained on: the easy ones up to each difficulty cutoff (solved "
        "by that model or a smaller one; †), all of train_b, or the hard ones (‡: chosen by the hard test set's own "
        "rule, so a high top score there is that selection); every set of a seed subsampled to one size; with "
        "ground-truth labels (solid) and with the weak model's labels (dashed); the weak model's own score on the "
        "same examples (grey). Mean over seeds, 95% t-intervals; the axis gives each training set's mean size.",
        options=("dpi",), needs="easy_to_hard", draw="weak2strong.families.easy_to_hard.plots:draw_easy_to_hard",
    ),
]

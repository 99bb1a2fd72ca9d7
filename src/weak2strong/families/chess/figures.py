"""The chess family's figures (entries as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "chess_pgr", ("chess",),
        "Chess puzzles: exact-match accuracy of the first move on test puzzles against strong-model size: one line per "
        "weak supervisor (the student trained on its greedy moves), the strong ceiling (trained on the true moves, "
        "black), each weak model alone (dashed), the strong model without training (zero-shot, grey dotted) and a "
        "random legal move (thin grey). Means over seeds with 95% t-intervals. PGR and its Fieller interval: chess.csv.",
        options=("dpi", "logx"), needs="chess", by_size=True, draw="weak2strong.families.chess.plots:draw_chess_pgr",
    ),
    FigureSpec(
        "chess_easy_to_hard", ("chess_easy_to_hard",),
        "Chess easy-to-hard: the strong model's exact-match accuracy on hard test puzzles (rating at or above the hard "
        "floor) against its training puzzles: those rated at most each Elo cutoff, all of train_b, or the hard ones; "
        "with the true moves (solid) and the weak model's moves (dashed); the weak model (grey) and the strong model "
        "zero-shot (dotted) on the same puzzles. Mean over seeds, 95% t-intervals; the axis gives each set's mean size.",
        options=("dpi",), needs="chess_easy_to_hard", draw="weak2strong.families.chess.plots:draw_chess_easy_to_hard",
    ),
    FigureSpec(
        "chess_bootstrap", ("chess_bootstrap",),
        "Chess bootstrapping: exact match on test puzzles of each model of the chain W → M1 → … → S, each fine-tuned "
        "on the previous model's moves on fresh puzzles (solid), against direct W → S (square) and the ceiling (S on "
        "the true moves, black), mean over seeds with 95% t-intervals.",
        options=("dpi",), needs="chess_bootstrap", draw="weak2strong.families.chess.plots:draw_chess_bootstrap",
    ),
]

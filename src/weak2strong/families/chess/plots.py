"""The chess family's figures, drawn with the core's plots (exact match where the core has accuracy)."""

from __future__ import annotations

from ...plots import plot_accuracy_vs_strong, plot_bootstrap, plot_by_training_set


def draw_chess_pgr(data, options, context):
    summary = data["chess"].assign(dataset="chess", loss="weak moves (hard labels)")
    return plot_accuracy_vs_strong(summary, context["sizes"], logx=options.get("logx", True), metric="exact match")


def draw_chess_easy_to_hard(data, options, context):
    return plot_by_training_set(data["chess_easy_to_hard"], [str(t) for t in context["train_sets"]], metric="exact match")


def draw_chess_bootstrap(data, options, context):
    return plot_bootstrap(data["chess_bootstrap"])

"""The easy-to-hard study's figure, drawn with the core's plot of a student against its training sets."""

from __future__ import annotations

from ...plots import plot_by_training_set
from ...training_sets import summarize


def draw_easy_to_hard(data, options, context):
    return plot_by_training_set(summarize(data["easy_to_hard"]), context["train_sets"])

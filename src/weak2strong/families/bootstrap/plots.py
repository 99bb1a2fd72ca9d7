"""The bootstrapping family's figure, drawn with the core's chain plot (chess's chains use it too)."""

from __future__ import annotations

from ...plots import plot_bootstrap


def draw_bootstrap(data, options, context):
    return plot_bootstrap(data["bootstrap"])

"""The reward-modelling family's figure, drawn with the core's PGR plot on the comparison datasets' cells."""

from __future__ import annotations

from ...plots import only_losses, plot_pgr, trained_only


def draw_rm_pgr(data, options, context):
    """``context["pair_datasets"]``: the comparison (reward-modelling) datasets."""
    summary = trained_only(data["summary"])
    summary = summary[summary["dataset"].isin(context["pair_datasets"])]
    fig = plot_pgr(only_losses(summary, options.get("losses")), ylim=tuple(options.get("ylim", (-1.5, 1.5))))
    fig.suptitle("Reward modelling: PGR in pairwise accuracy", y=1.02)
    return fig

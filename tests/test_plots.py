"""Figures mark what a reader must know: oracle early stopping, cells without a gap."""

import pandas as pd

from weak2strong.metrics import summarize
from weak2strong.plots import plot_pgr
from test_metrics import _per_seed


def test_oracle_early_stopping_is_written_on_the_figure():
    per_seed = _per_seed([0.75, 0.8, 0.78], [0.7] * 3, [0.8] * 3)
    honest = summarize(per_seed, n_boot=200)
    oracle = summarize(per_seed.assign(early_stopping="ground_truth"), n_boot=200)
    assert "ORACLE" not in plot_pgr(honest)._suptitle.get_text()
    assert "ORACLE" in plot_pgr(oracle)._suptitle.get_text()


def test_cells_without_a_gap_are_labelled_not_drawn():
    summary = summarize(_per_seed([0.7, 0.71], [0.75, 0.75], [0.72, 0.73]), n_boot=200)
    fig = plot_pgr(summary)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "no gap" in texts

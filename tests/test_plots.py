"""Figures mark what a reader must know: oracle early stopping, cells without a gap."""

import pandas as pd

from weak2strong.metrics import summarize
from weak2strong.plots import plot_pgr

from test_metrics import _per_seed


def test_oracle_early_stopping_is_written_on_the_figure():
    per_seed = _per_seed([0.75, 0.8, 0.78], [0.7] * 3, [0.8] * 3)
    honest = summarize(per_seed)
    oracle = summarize(per_seed.assign(early_stopping="ground_truth"))
    assert "ORACLE" not in plot_pgr(honest)._suptitle.get_text()
    assert "ORACLE" in plot_pgr(oracle)._suptitle.get_text()


def test_cells_without_a_gap_are_labelled_not_drawn():
    summary = summarize(_per_seed([0.7, 0.71], [0.75, 0.75], [0.72, 0.73]))
    fig = plot_pgr(summary)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("no gap") for t in texts)


def test_methods_figure_puts_each_method_at_its_paired_difference_to_xent():
    import numpy as np
    import pytest

    from weak2strong.metrics import methods_table
    from weak2strong.plots import only_losses, plot_methods

    base = _per_seed([0.75, 0.76, 0.74], [0.7] * 3, [0.8] * 3)
    better = base.assign(loss="logconf", student_acc=base["student_acc"] + 0.02)
    methods = methods_table(pd.concat([base, better]))
    fig = plot_methods(methods)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["logconf"]  # xent is the reference, not a row
    x, y = ax.lines[0].get_data()  # the points: logconf's mean paired difference, in points
    assert np.allclose(x, [2.0]) and np.allclose(y, [0.0])
    assert only_losses(methods, ["logconf"])["loss"].unique().tolist() == ["logconf"]
    with pytest.raises(ValueError, match="losses \\['kl'\\] were not run"):
        only_losses(methods, ["kl"])

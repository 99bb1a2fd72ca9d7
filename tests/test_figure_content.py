"""Figures checked on what they show: the series, panels and intervals read back from the drawn
figure (drawn.py) equal the table each was drawn from. The tiny run's tables for the core figures;
a bootstrap table with known accuracies for bootstrap.png, which no tiny run draws."""

import numpy as np
import pandas as pd
import pytest
from drawn import panels

from weak2strong import plots
from weak2strong.metrics import TRAINED, t_interval


def _summary(workdir) -> pd.DataFrame:
    return pd.read_parquet(workdir / "results/metrics/summary.parquet")


def _close(drawn, expected, what):
    np.testing.assert_allclose(np.asarray(drawn, dtype=float), np.asarray(expected, dtype=float), atol=1e-6, err_msg=what)


def test_pgr_bars_are_each_cells_pgr_with_fiellers_interval(workflow_run):
    workdir, _ = workflow_run
    summary = _summary(workdir)
    trained = summary[summary["supervisor"] == TRAINED]
    fig = plots.draw_pgr({"summary": summary}, {}, {})
    shown = {p.title: p for p in panels(fig)}
    assert set(shown) == set(trained["dataset"])  # one panel per dataset; simulated supervisors have their own figure
    for dataset, panel in shown.items():
        d = trained[trained["dataset"] == dataset]
        assert set(panel.series) == set(d["loss"])
        pairs = d[["weak", "strong"]].drop_duplicates().to_records(index=False).tolist()
        for loss, bars in panel.series.items():
            rows = d[d["loss"] == loss].set_index(["weak", "strong"]).reindex(pairs)
            _close(bars.y, rows["pgr_of_means"].clip(-1.5, 1.5), f"{dataset} {loss} PGR")
            assert bars.low is not None, f"{dataset} {loss}: no interval drawn"
            _close(bars.low, rows["pgr_of_means_ci_low"], f"{dataset} {loss} Fieller low")
            _close(bars.high, rows["pgr_of_means_ci_high"], f"{dataset} {loss} Fieller high")


def test_accuracy_lines_are_the_seed_means_with_their_t_intervals(workflow_run):
    workdir, config = workflow_run
    from weak2strong.plan import build_plan

    sizes = {name: m.size for name, m in build_plan(config).models.items()}
    summary = _summary(workdir)
    trained = summary[summary["supervisor"] == TRAINED]
    shown = {p.title: p for p in panels(plots.draw_accuracy_vs_strong({"summary": summary}, {}, {"sizes": sizes}))}
    assert set(shown) == {f"{d} — {loss}" for d, loss in trained[["dataset", "loss"]].drop_duplicates().itertuples(index=False)}
    for (dataset, loss), d in trained.groupby(["dataset", "loss"]):
        panel = shown[f"{dataset} — {loss}"]
        ceiling = d.drop_duplicates("strong").assign(size=lambda t: t["strong"].map(sizes)).sort_values("size")
        _close(panel.series["strong ceiling"].x, ceiling["size"], "ceiling at the strong sizes")
        _close(panel.series["strong ceiling"].y, ceiling["ceiling_acc_mean"], "ceiling means")
        for weak, dw in d.groupby("weak"):
            dw = dw.assign(size=lambda t: t["strong"].map(sizes)).sort_values("size")
            line = panel.series[f"student of {weak}"]
            _close(line.y, dw["student_acc_mean"], f"{dataset} {loss} student of {weak}")
            _close(line.low, dw["student_acc_ci_low"], "student interval low")
            _close(line.high, dw["student_acc_ci_high"], "student interval high")
            assert panel.hlines[f"{weak} (weak) alone"] == pytest.approx(dw["weak_acc_mean"].iloc[0])


def test_methods_markers_are_the_paired_differences_in_points(workflow_run):
    workdir, _ = workflow_run
    methods = pd.read_parquet(workdir / "results/metrics/methods.parquet")
    methods = methods[methods["supervisor"] == TRAINED]
    losses = [loss for loss in plots.ordered_losses(methods["loss"]) if loss != "xent"]
    drawn = panels(plots.draw_methods({"methods": methods}, {}, {}))
    assert [p.title for p in drawn] == sorted(methods["dataset"].unique()) and losses
    for panel in drawn:
        d = methods[methods["dataset"] == panel.title]
        assert len(panel.series) == len(d[["weak", "strong"]].drop_duplicates())
        for label, markers in panel.series.items():
            weak, strong = label.split(" → ")
            rows = d[(d["weak"] == weak) & (d["strong"] == strong)].set_index("loss").reindex(losses)
            _close(markers.x, 100 * rows["student_acc_diff_vs_xent"], f"{panel.title} {label}")
            _close(markers.low, 100 * rows["student_acc_diff_ci_low"], f"{panel.title} {label} interval low")
            _close(markers.high, 100 * rows["student_acc_diff_ci_high"], f"{panel.title} {label} interval high")


def test_bootstrap_figure_draws_each_rung_direct_and_ceiling_with_t_intervals():
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(4):
        for kind, step, model, acc in (("chain", 0, "w", 0.60), ("chain", 1, "m", 0.66), ("chain", 2, "s", 0.70),
                                       ("direct", 2, "s", 0.68), ("ceiling", 2, "s", 0.80)):
            rows.append({"dataset": "d", "chain": "w_to_s", "seed": seed, "kind": kind, "step": step, "model": model,
                         "test_acc": acc + rng.normal(0, 0.01)})
    table = pd.DataFrame(rows)
    (panel,) = panels(plots.draw_bootstrap({"bootstrap": table}, {}, {}))
    assert panel.title == "d — w_to_s (n = 4 seeds)"
    for label, kind in (("bootstrapped chain", "chain"), ("direct weak → strong", "direct"), ("ceiling", "ceiling")):
        g = table[table["kind"] == kind].groupby("step")["test_acc"]
        series = panel.series[label]
        _close(series.x, sorted(g.groups), f"{label} steps")
        _close(series.y, g.mean().sort_index(), f"{label} means")
        intervals = [t_interval(v.to_numpy()) for _, v in sorted(g)]
        _close(series.low, [lo for lo, _ in intervals], f"{label} interval low")
        _close(series.high, [hi for _, hi in intervals], f"{label} interval high")


def test_easy_to_hard_draws_each_metric_on_its_own_axis_with_the_weak_model_on_the_same_examples():
    """Hard-test balanced accuracy and whole-test accuracy are different numbers on different
    examples: each has its own panel, holding the students' means and t-intervals of that metric and
    the weak model's score on those examples (not the other metric's)."""
    from weak2strong.easy_to_hard import summarize

    rng = np.random.default_rng(0)
    sets = ["m1", "all", "hard"]
    rows = [{"dataset": "d", "train_set": t, "labels": labels, "seed": seed, "n_train": 100, "n_test_hard": 40,
             "hard_test_pos_frac": 0.6, "hard_test_acc": 0.5 + rng.normal(0, 0.02), "hard_test_bal_acc": base + rng.normal(0, 0.02),
             "full_test_acc": 0.9 - base / 2 + rng.normal(0, 0.02), "weak_hard_test_acc": 0.2, "weak_hard_test_bal_acc": 0.18,
             "weak_full_test_acc": 0.73}
            for t, base in zip(sets, (0.5, 0.55, 0.7)) for labels in ("ground_truth", "weak") for seed in range(5)]
    table = pd.DataFrame(rows)
    summary = summarize(table)
    shown = {p.title.split(" (")[0]: p for p in panels(plots.draw_easy_to_hard({"easy_to_hard": table}, {}, {"train_sets": sets}))}
    assert set(shown) == {"d: hard test", "d: all test"}
    for title, column, weak in (("d: hard test", "hard_test_bal_acc", 0.18), ("d: all test", "full_test_acc", 0.73)):
        panel = shown[title]
        assert panel.hlines["weak model"] == pytest.approx(weak)
        for labels, label in (("ground_truth", "student, ground-truth labels"), ("weak", "student, weak labels")):
            rows = summary[summary["labels"] == labels].set_index("train_set").reindex(sets)
            series = panel.series[label]
            _close(series.y, rows[f"{column}_mean"], f"{title} {labels} means")
            _close(series.low, rows[f"{column}_ci_low"], f"{title} {labels} interval low")
            _close(series.high, rows[f"{column}_ci_high"], f"{title} {labels} interval high")


def test_vision_bars_are_each_students_mean_with_its_interval_and_the_legend_stays_off_the_bars():
    """One bar per (loss, student variant), at its test-accuracy mean with its t-interval; the legend
    sits below the axes (four variants per loss made it cover the bars)."""
    from weak2strong.families.vision.plots import plot_vision
    from weak2strong.families.vision.steps import VARIANTS

    rows = []
    for k, (loss, variant) in enumerate((loss, v) for loss in ("xent", "logconf") for v in VARIANTS):
        acc = 0.70 + 0.02 * k
        views = 0 if variant in ("plain", "regularised") else 2
        rows.append({"weak": "pixels", "strong": "km", "loss": loss, "variant": variant, "n_views": views, "n_seeds": 5,
                     "weak_acc_mean": 0.6, "weak_acc_ci_low": 0.59, "weak_acc_ci_high": 0.61, "ceiling_acc_mean": 0.9,
                     "student_acc_mean": acc, "student_acc_ci_low": acc - 0.01, "student_acc_ci_high": acc + 0.01, "pgr_of_means": 0.5})
    summary = pd.DataFrame(rows)
    fig = plot_vision(summary)
    (panel,) = panels(fig)
    names = {"plain": "", "regularised": ", early stopping", "views": " + 2 views", "views_equal_steps": " + 2 views, equal steps"}
    for _, r in summary.iterrows():
        bar = panel.series[r["loss"] + names[r["variant"]]]
        _close(bar.y, [r["student_acc_mean"]], f"{r['loss']} {r['variant']}")
        _close([bar.low[0], bar.high[0]], [r["student_acc_ci_low"], r["student_acc_ci_high"]], "interval")
    (axes,) = fig.axes
    assert axes.get_legend() is None and len(fig.legends) == 1  # the legend is the figure's, below the axes

"""Figures checked on what they show: the series, panels and intervals read back from the drawn
figure (drawn.py) equal the table each was drawn from. The tiny run's tables for the core figures and
the simulated supervisors'; tables built with known numbers (through the metrics' own summaries) for
the figures no tiny run draws: bootstrap, easy-to-hard, dynamics, reward modelling, prompting, vision
and chess's three."""

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
    from weak2strong.families.bootstrap.plots import draw_bootstrap

    (panel,) = panels(draw_bootstrap({"bootstrap": table}, {}, {}))
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
    from weak2strong.families.easy_to_hard.plots import draw_easy_to_hard
    from weak2strong.training_sets import summarize

    rng = np.random.default_rng(0)
    sets = ["m1", "all", "hard"]
    rows = [{"dataset": "d", "train_set": t, "labels": labels, "seed": seed, "n_train": 100, "n_test_hard": 40,
             "hard_test_pos_frac": 0.6, "hard_test_acc": 0.5 + rng.normal(0, 0.02), "hard_test_bal_acc": base + rng.normal(0, 0.02),
             "full_test_acc": 0.9 - base / 2 + rng.normal(0, 0.02), "weak_hard_test_acc": 0.2, "weak_hard_test_bal_acc": 0.18,
             "weak_full_test_acc": 0.73}
            for t, base in zip(sets, (0.5, 0.55, 0.7)) for labels in ("ground_truth", "weak") for seed in range(5)]
    table = pd.DataFrame(rows)
    summary = summarize(table)
    shown = {p.title.split(" (")[0]: p for p in panels(draw_easy_to_hard({"easy_to_hard": table}, {}, {"train_sets": sets}))}
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


def test_agreement_lines_are_each_methods_agreement_where_the_weak_model_is_right_and_wrong(workflow_run):
    workdir, config = workflow_run
    from weak2strong.plan import build_plan

    sizes = {name: m.size for name, m in build_plan(config).models.items()}
    trained = _summary(workdir).pipe(lambda s: s[s["supervisor"] == TRAINED])
    shown = {p.title: p for p in panels(plots.draw_agreement({"summary": trained}, {}, {"sizes": sizes}))}
    assert set(shown) == {f"{d} — weak: {w}" for d, w in trained[["dataset", "weak"]].drop_duplicates().itertuples(index=False)}
    for (dataset, weak, loss), d in trained.groupby(["dataset", "weak", "loss"]):
        d = d.assign(size=d["strong"].map(sizes)).sort_values("size")
        for metric, where in (("agreement_weak_correct", "weak right"), ("agreement_weak_wrong", "weak wrong")):
            line = shown[f"{dataset} — weak: {weak}"].series[f"{loss}, {where}"]
            _close(line.x, d["size"], f"{dataset} {weak} {loss} sizes")
            _close(line.y, d[f"{metric}_mean"], f"{dataset} {weak} {loss} {where}")
            _close(line.low, d[f"{metric}_ci_low"], f"{dataset} {weak} {loss} {where} interval low")
            _close(line.high, d[f"{metric}_ci_high"], f"{dataset} {weak} {loss} {where} interval high")


def test_misfit_points_are_each_cell_and_seeds_misfit_and_gain(workflow_run):
    workdir, _ = workflow_run
    per_seed = pd.read_parquet(workdir / "results/metrics/per_seed.parquet")
    trained = per_seed[per_seed["supervisor"] == TRAINED]
    shown = {p.title: p for p in panels(plots.draw_misfit({"per_seed": per_seed}, {}, {}))}
    assert set(shown) == set(trained["dataset"])
    for (dataset, loss), d in trained.groupby(["dataset", "loss"]):
        points = shown[dataset].points[loss]
        drawn = sorted(zip(points.x, points.y))
        expected = sorted(zip(d["misfit_kl"], d["gain"]))
        assert len(drawn) == len(d), f"{dataset} {loss}: one point per (cell, seed)"
        _close(drawn, expected, f"{dataset} {loss} (misfit, gain)")


def test_simulated_errors_points_are_each_supervisors_pgr_at_its_own_accuracy(workflow_run):
    workdir, config = workflow_run
    from weak2strong.families.simulated.plots import KIND_STYLES, draw_simulated_errors
    from weak2strong.plan import build_plan

    supervisors = build_plan(config).families["simulated"].figure_context("simulated_errors")["supervisors"]
    summary = _summary(workdir)
    simulated = summary[summary["weak"].isin(supervisors)]
    assert len(simulated) and set(simulated["supervisor"]) != {TRAINED}
    shown = {p.title: p for p in panels(draw_simulated_errors({"summary": summary}, {}, {"supervisors": supervisors}))}
    assert set(shown) == {f"{d}, {loss}" for d, loss in simulated[["dataset", "loss"]].drop_duplicates().itertuples(index=False)}
    for (dataset, loss), d in simulated.groupby(["dataset", "loss"]):
        d = d.assign(kind=d["weak"].map(lambda w: supervisors[w]["kind"]))
        for kind, g in d.groupby("kind"):
            g = g.sort_values("weak_acc_mean")
            series = shown[f"{dataset}, {loss}"].series[KIND_STYLES[kind]["label"]]
            _close(series.x, g["weak_acc_mean"], f"{dataset} {loss} {kind}: the supervisor's own accuracy")
            _close(series.y, g["pgr_of_means"], f"{dataset} {loss} {kind}: PGR of means")
            defined = ~g["pgr_of_means_ci_low"].isna().to_numpy()
            assert series.low is not None or not defined.all(), f"{dataset} {loss} {kind}: no interval drawn"
            if series.low is not None:  # matplotlib drops the bars of a point without an interval
                _close(series.low[defined], g["pgr_of_means_ci_low"][defined], f"{dataset} {loss} {kind}: Fieller low")
                _close(series.high[defined], g["pgr_of_means_ci_high"][defined], f"{dataset} {loss} {kind}: Fieller high")


def _cells_summary(datasets=("d",), strongs=(("s1", 30.0), ("s2", 100.0)), supervisor=TRAINED, task="classification", seeds=4):
    """summary rows computed by metrics.summarize from made-up per-seed accuracies: each (dataset, strong)
    a cell with its own student, weak and ceiling means."""
    from weak2strong.metrics import pgr, summarize

    rng = np.random.default_rng(1)
    rows = []
    for k, dataset in enumerate(datasets):
        for j, (strong, _) in enumerate(strongs):
            for seed in range(seeds):
                w, c = 0.6 + 0.01 * k + rng.normal(0, 0.01), 0.85 + 0.02 * j + rng.normal(0, 0.01)
                s = w + (0.4 + 0.2 * j) * (c - w) + rng.normal(0, 0.01)
                rows.append(dict(dataset=dataset, regime="linear_probe", early_stopping="none", weak="w", supervisor=supervisor,
                                 strong=strong, loss="xent", seed=seed, weak_acc=w, ceiling_acc=c, student_acc=s, gap=c - w,
                                 weak_auroc=w, ceiling_auroc=c, student_auroc=s, pgr=pgr(s, w, c), ceiling_le_weak=c <= w,
                                 agreement=0.9, agreement_weak_correct=0.95, agreement_weak_wrong=0.5))
    return summarize(pd.DataFrame(rows)).assign(task=task)


def test_rm_pgr_bars_are_the_comparison_datasets_pgr_and_no_other():
    from weak2strong.families.reward_modelling.plots import draw_rm_pgr

    summary = pd.concat([_cells_summary(("pairs",), task="pairs"), _cells_summary(("plain",))], ignore_index=True)
    shown = {p.title: p for p in panels(draw_rm_pgr({"summary": summary}, {}, {"pair_datasets": ["pairs"]}))}
    assert set(shown) == {"pairs"}  # the classification dataset has its own pgr figure
    rows = summary[summary["dataset"] == "pairs"]
    bars = shown["pairs"].series["xent"]
    _close(bars.y, rows["pgr_of_means"], "PGR of means")
    _close(bars.low, rows["pgr_of_means_ci_low"], "Fieller low")
    _close(bars.high, rows["pgr_of_means_ci_high"], "Fieller high")


def test_dynamics_lines_are_the_seed_means_of_each_point_of_training():
    rng = np.random.default_rng(0)
    rows = [{"dataset": "d", "weak": "w", "strong": "s", "loss": loss, "seed": seed, "progress": step / 4,
             "test_acc": 0.6 + 0.05 * step + rng.normal(0, 0.01), "agreement": 0.7 + 0.04 * step + rng.normal(0, 0.01)}
            for loss in ("xent", "logconf") for seed in range(3) for step in range(1, 5)]
    table = pd.DataFrame(rows)
    (panel,) = panels(plots.plot_dynamics(table))
    assert panel.title == "d: w → s"
    for loss, g in table.groupby("loss"):
        mean = g.groupby("progress")[["test_acc", "agreement"]].mean()
        for column, label in (("test_acc", f"{loss}: test accuracy"), ("agreement", f"{loss}: agreement with weak")):
            _close(panel.lines[label].x, mean.index, f"{label}: progress")
            _close(panel.lines[label].y, mean[column], f"{label}: mean over seeds")


def test_prompting_lines_are_each_modes_accuracy_beside_the_probes_of_the_same_decoders():
    from weak2strong.families.prompting.plots import PROMPT_STYLES, draw_prompting

    sizes = {"s1": 30.0, "s2": 100.0, "w": 10.0}
    modes = []
    for k, mode in enumerate(PROMPT_STYLES):  # each mode its own accuracies: 0.05 apart
        cells = _cells_summary(supervisor="prompting").assign(loss=mode)
        for column in ("student_acc_mean", "student_acc_ci_low", "student_acc_ci_high"):
            cells[column] -= 0.05 * k
        modes.append(cells)
    prompted = pd.concat(modes, ignore_index=True)
    trained = _cells_summary()
    context = {"sizes": sizes, "prompting": {"models": ["s1", "s2"], "weak": "w"}}
    (panel,) = panels(draw_prompting({"summary": pd.concat([prompted, trained], ignore_index=True)}, {}, context))
    for mode, style in PROMPT_STYLES.items():
        rows = prompted[prompted["loss"] == mode].set_index("strong").loc[["s1", "s2"]]
        series = panel.series[style["label"]]
        _close(series.x, [30.0, 100.0], f"{mode}: decoder sizes")
        _close(series.y, rows["student_acc_mean"], f"{mode}: accuracy")
        _close(series.low, rows["student_acc_ci_low"], f"{mode}: interval low")
    ceiling = panel.series["ceiling (probe, ground truth)"]
    _close(ceiling.y, prompted.drop_duplicates("strong").set_index("strong").loc[["s1", "s2"], "ceiling_acc_mean"], "ceiling")
    w2s = panel.series["weak-to-strong probe (xent)"]
    _close(w2s.y, trained.set_index("strong").loc[["s1", "s2"], "student_acc_mean"], "the weak-to-strong student")
    assert panel.hlines["weak model (w)"] == pytest.approx(prompted["weak_acc_mean"].mean())


def _chess_per_seed(seeds=4):
    rng = np.random.default_rng(2)
    rows = []
    for strong, size in (("m", 355.0), ("l", 774.0)):
        for seed in range(seeds):
            w, c = 0.10 + rng.normal(0, 0.005), (0.20 if strong == "m" else 0.28) + rng.normal(0, 0.005)
            s = w + 0.5 * (c - w) + rng.normal(0, 0.005)
            rows.append({"weak": "s", "strong": strong, "strong_size": size, "seed": seed, "weak_acc": w, "weak_legal": 0.9,
                         "weak_label_acc": w, "weak_label_legal": 0.9, "ceiling_acc": c, "ceiling_legal": 0.95, "student_acc": s,
                         "student_legal": 0.93, "random_legal_acc": 0.05, "zero_shot_acc": 0.03 + 0.01 * seed, "zero_shot_legal": 0.5,
                         "n_test": 200, "pgr": (s - w) / (c - w)})
    return pd.DataFrame(rows)


def test_chess_pgr_lines_are_exact_match_means_with_the_zero_shot_model_and_a_random_legal_move():
    from weak2strong.families.chess.plots import draw_chess_pgr
    from weak2strong.families.chess.steps import summarize

    summary = summarize(_chess_per_seed())
    sizes = {"s": 124.0, "m": 355.0, "l": 774.0}
    (panel,) = panels(draw_chess_pgr({"chess": summary}, {}, {"sizes": sizes}))
    assert panel.title == "chess — weak moves (hard labels)"
    rows = summary.set_index("strong").loc[["m", "l"]]
    for label, column in (("strong ceiling", "ceiling_acc"), ("student of s", "student_acc"), ("strong zero-shot", "zero_shot_acc")):
        _close(panel.series[label].x, [355.0, 774.0], f"{label}: sizes")
        _close(panel.series[label].y, rows[f"{column}_mean"], f"{label}: means")
        _close(panel.series[label].low, rows[f"{column}_ci_low"], f"{label}: interval low")
    assert panel.hlines["s (weak) alone"] == pytest.approx(rows["weak_acc_mean"].iloc[0])
    assert panel.hlines["random legal move"] == pytest.approx(rows["random_legal_acc_mean"].mean())


def test_chess_easy_to_hard_draws_exact_match_per_training_set_with_the_zero_shot_model():
    from weak2strong.families.chess.plots import draw_chess_easy_to_hard
    from weak2strong.training_sets import summarize

    rng = np.random.default_rng(3)
    sets = ["1200", "all", "hard"]
    rows = [{"dataset": "chess", "train_set": t, "labels": labels, "seed": seed, "n_train": 100, "n_test_hard": 50, "n_test": 200,
             "hard_test_acc": base + rng.normal(0, 0.01), "full_test_acc": base + 0.1 + rng.normal(0, 0.01),
             "weak_hard_test_acc": 0.05, "weak_full_test_acc": 0.1, "zero_shot_hard_test_acc": 0.02, "zero_shot_full_test_acc": 0.04}
            for t, base in zip(sets, (0.1, 0.15, 0.2)) for labels in ("ground_truth", "weak") for seed in range(4)]
    summary = summarize(pd.DataFrame(rows), selection="puzzle rating")
    shown = {p.title.split(" (")[0]: p for p in panels(draw_chess_easy_to_hard({"chess_easy_to_hard": summary}, {},
                                                                               {"train_sets": [1200, "all", "hard"]}))}
    assert set(shown) == {"chess: hard test", "chess: all test"}
    for title, column, weak, zero in (("chess: hard test", "hard_test_acc", 0.05, 0.02), ("chess: all test", "full_test_acc", 0.1, 0.04)):
        panel = shown[title]
        assert panel.hlines["weak model"] == pytest.approx(weak) and panel.hlines["strong model zero-shot"] == pytest.approx(zero)
        for labels, label in (("ground_truth", "student, ground-truth labels"), ("weak", "student, weak labels")):
            d = summary[summary["labels"] == labels].set_index("train_set").reindex(sets)
            _close(panel.series[label].y, d[f"{column}_mean"], f"{title} {labels} means")
            _close(panel.series[label].high, d[f"{column}_ci_high"], f"{title} {labels} interval high")


def test_chess_bootstrap_draws_each_rung_of_the_chains_table():
    from weak2strong.families.chess.plots import draw_chess_bootstrap

    rows = [{"dataset": "chess", "chain": "s_to_l", "seed": seed, "kind": kind, "step": step, "model": model, "test_acc": acc + 0.01 * seed}
            for seed in range(3) for kind, step, model, acc in (("chain", 0, "s", 0.1), ("chain", 1, "m", 0.15), ("chain", 2, "l", 0.2),
                                                                ("direct", 2, "l", 0.17), ("ceiling", 2, "l", 0.3))]
    table = pd.DataFrame(rows)
    (panel,) = panels(draw_chess_bootstrap({"chess_bootstrap": table}, {}, {}))
    for label, kind in (("bootstrapped chain", "chain"), ("direct weak → strong", "direct"), ("ceiling", "ceiling")):
        g = table[table["kind"] == kind].groupby("step")["test_acc"]
        _close(panel.series[label].y, g.mean().sort_index(), f"{label} means")
        intervals = [t_interval(v.to_numpy()) for _, v in sorted(g)]
        _close(panel.series[label].low, [lo for lo, _ in intervals], f"{label} interval low")


def test_every_figure_is_checked_here_on_what_it_shows():
    """A new figure needs a test in this file that reads its drawing back (drawn.py), not "drawn, not blank"."""
    import re
    from pathlib import Path

    from weak2strong.families.registry import FIGURES

    text = Path(__file__).read_text()
    unchecked = [name for name, spec in FIGURES.items() if not re.search(rf"\b(draw|plot)_{name}\(", text)]
    assert unchecked == []

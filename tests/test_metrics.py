import numpy as np
import pandas as pd
import pytest

from weak2strong.blocks import MetricsOptions
from weak2strong.metrics import (
    accuracy,
    agreement,
    auroc,
    by_seed_and_split,
    cell_test_table,
    describe,
    label_diagnostics,
    pgr,
    ratio_of_means_interval,
    summarize,
    t_interval,
)


def test_accuracy_and_auroc_by_hand():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.9])
    assert accuracy(p, y) == 0.5
    # pairs (pos, neg): (0.4,0.1) ok, (0.4,0.6) wrong, (0.9,0.1) ok, (0.9,0.6) ok -> 3/4
    assert auroc(p, y) == pytest.approx(0.75)
    assert auroc(np.array([0.5, 0.5]), np.array([0, 1])) == pytest.approx(0.5)


def test_pgr_definition_and_undefined_gap():
    assert pgr(0.8, 0.7, 0.9) == pytest.approx(0.5)
    assert pgr(0.65, 0.7, 0.9) == pytest.approx(-0.25)
    assert np.isnan(pgr(0.8, 0.9, 0.9))


def test_agreement_split_by_weak_correctness():
    y = np.array([1, 1, 0, 0])
    weak = np.array([0.9, 0.2, 0.1, 0.7])  # right, wrong, right, wrong
    student = np.array([0.8, 0.3, 0.9, 0.2])  # agrees, agrees, disagrees, disagrees
    out = agreement(student, weak, y)
    assert out == {"agreement": 0.5, "agreement_weak_correct": 0.5, "agreement_weak_wrong": 0.5}
    student2 = np.array([0.8, 0.9, 0.2, 0.2])  # agrees with weak where weak is right only
    assert agreement(student2, weak, y) == {"agreement": 0.5, "agreement_weak_correct": 1.0, "agreement_weak_wrong": 0.0}


@pytest.mark.parametrize("n", [3, 5, 10])
def test_t_interval_covers_the_true_mean_95_percent_of_the_time(n):
    """Coverage on simulated seeds with a known mean: per-seed accuracies as a seed effect plus the
    binomial noise of a 1,000-example test set. A percentile bootstrap over n values covers about
    0.74 (n = 3) to 0.89 (n = 10) here; the t-interval must hold 0.95 at every n."""
    rng = np.random.default_rng(n)
    sims, true_acc = 4000, 0.8
    seed_effect = rng.normal(0, 0.01, size=(sims, n))
    acc = rng.binomial(1000, np.clip(true_acc + seed_effect, 0, 1)) / 1000
    bounds = np.array([t_interval(row) for row in acc])
    covered = (bounds[:, 0] <= true_acc) & (true_acc <= bounds[:, 1])
    assert 0.94 <= covered.mean() <= 0.96, covered.mean()


def test_one_seed_has_no_interval_and_n_counts_defined_values():
    lo, hi = t_interval([0.7])
    assert np.isnan(lo) and np.isnan(hi)
    out = describe([0.5, np.nan, 0.7, np.nan], "pgr")
    assert out["pgr_n"] == 2 and out["pgr_mean"] == pytest.approx(0.6)
    # mean ± t(1, 0.975) · s / √2 with s = 0.1414: 12.706 · 0.1
    assert out["pgr_ci_high"] - out["pgr_mean"] == pytest.approx(12.7062 * 0.1, rel=1e-4)


@pytest.mark.parametrize("n", [5, 10])
def test_fieller_interval_for_pgr_of_means_has_honest_coverage(n):
    """Seeds with a known PGR of means: weak 0.70, ceiling 0.80, student 0.75 (PGR 0.5) plus
    correlated per-seed noise; Fieller's interval must cover 0.5 in about 95% of experiments."""
    rng = np.random.default_rng(100 + n)
    sims, covered, defined = 3000, 0, 0
    for _ in range(sims):
        weak = 0.70 + rng.normal(0, 0.015, n)
        ceiling = 0.80 + 0.5 * (weak - 0.70) + rng.normal(0, 0.015, n)
        student = 0.75 + 0.5 * (weak - 0.70) + rng.normal(0, 0.015, n)
        point, lo, hi, status = ratio_of_means_interval(student - weak, ceiling - weak)
        if status == "":
            defined += 1
            covered += lo <= 0.5 <= hi
    assert defined > 0.99 * sims  # a 10-point gap is clear at these seed counts
    assert 0.935 <= covered / sims <= 0.965, covered / sims


def test_pgr_of_means_interval_is_undefined_when_the_gap_is_not_clearly_positive():
    """FEVER-like cell: a mean gap of 0.3 points with seeds on both sides of 0. A bootstrap that
    drops the resamples without a gap still printed a confident interval; Fieller's is unbounded."""
    weak = np.array([0.60, 0.61, 0.59, 0.62, 0.60])
    ceiling = weak + np.array([0.02, -0.01, 0.015, -0.02, 0.01])
    student = weak + np.array([0.01, -0.01, 0.0, 0.005, 0.0])
    point, lo, hi, status = ratio_of_means_interval(student - weak, ceiling - weak)
    assert point == pytest.approx(0.005 / 0.015 * 0.6 / 0.6, rel=1e-6)
    assert status == "gap not significant" and np.isnan(lo) and np.isnan(hi)
    assert ratio_of_means_interval([0.01, 0.02], [-0.01, -0.02])[3] == "no gap"
    assert ratio_of_means_interval([0.01], [0.02])[3] == "one seed"


def _per_seed(student, weak, ceiling):
    rows = []
    for seed, (s, w, c) in enumerate(zip(student, weak, ceiling)):
        rows.append(dict(dataset="d", regime="linear_probe", early_stopping="none", weak="w", supervisor="trained", strong="s",
                         loss="xent", seed=seed,
                         weak_acc=w, ceiling_acc=c, student_acc=s, gap=c - w, weak_auroc=w, ceiling_auroc=c, student_auroc=s,
                         pgr=pgr(s, w, c), ceiling_le_weak=c <= w, agreement=0.9,
                         agreement_weak_correct=0.95, agreement_weak_wrong=0.5))
    return pd.DataFrame(rows)


def test_summary_keeps_and_flags_cells_with_ceiling_not_above_weak():
    per_seed = _per_seed([0.75, 0.8, 0.7], [0.7, 0.7, 0.72], [0.8, 0.9, 0.72])
    row = summarize(per_seed).iloc[0]
    assert row["n_seeds"] == 3 and row["n_flagged"] == 1
    assert row["flag"] == "ceiling<=weak in 1/3 seeds"
    # mean PGR over the two defined seeds: (0.5 + 0.5) / 2, and the count says one seed was skipped
    assert row["pgr_mean"] == pytest.approx(0.5) and row["pgr_n"] == 2
    # PGR of means: (0.75 - 0.7067) / (0.8067 - 0.7067)
    assert row["pgr_of_means"] == pytest.approx((0.75 - 2.12 / 3) / (2.42 / 3 - 2.12 / 3))


def test_misfit_by_hand():
    from weak2strong.metrics import misfit

    out = misfit(np.array([0.6, 0.2]), np.array([0.8, 0.2]))
    kl = 0.8 * np.log(0.8 / 0.6) + 0.2 * np.log(0.2 / 0.4)  # second example fits exactly: 0
    assert out["misfit_kl"] == pytest.approx(kl / 2)
    assert out["misfit_disagreement"] == 0.0
    assert misfit(np.array([0.4]), np.array([0.8]))["misfit_disagreement"] == 1.0


def test_methods_table_pairs_each_method_with_xent_on_the_same_seed():
    from weak2strong.metrics import methods_table

    xent = _per_seed([0.75, 0.80, 0.77], [0.7] * 3, [0.8] * 3)
    logconf = _per_seed([0.78, 0.82, 0.78], [0.7] * 3, [0.8] * 3).assign(loss="logconf")
    table = methods_table(pd.concat([xent, logconf])).set_index("loss")
    # paired student-accuracy differences: 0.03, 0.02, 0.01
    assert table.loc["logconf", "student_acc_diff_vs_xent"] == pytest.approx(0.02)
    # t-interval of [0.03, 0.02, 0.01]: 0.02 ± 4.303 · 0.01 / √3 — includes 0 at three seeds
    assert table.loc["logconf", "student_acc_diff_ci_low"] == pytest.approx(0.02 - 4.3027 * 0.01 / 3 ** 0.5, rel=1e-4)
    assert table.loc["logconf", "student_acc_diff_n"] == 3
    assert table.loc["xent", "student_acc_diff_vs_xent"] == 0.0


def test_training_dynamics_are_recorded_at_evenly_spaced_steps():
    import torch

    from weak2strong.losses import Xent
    from weak2strong.training.loop import TrainConfig
    from weak2strong.training.probe import fit_probe

    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
    y = (x[:, 0] > 0).float().numpy()
    calls = []
    _, result = fit_probe(x, y, Xent(), TrainConfig(lr=0.05, epochs=5, batch_size=16, eval_points=4), seed=0,
                          evaluate=lambda model: calls.append(1) or {"test_acc": 0.5, "agreement": 0.5})
    assert [p["step"] for p in result.extra["dynamics"]] == [5, 10, 15, 20] and len(calls) == 4


def test_label_diagnostics_by_hand():
    out = label_diagnostics([0.9, 0.5, 0.2, 0.45])
    assert out["weak_confidence"] == pytest.approx((0.8 + 0.0 + 0.6 + 0.1) / 4)
    assert out["weak_positive_rate"] == 0.25


def test_degenerate_weak_labels_and_losses_that_keep_few_labels_are_flagged():
    """Weak labels within 0.01 of 0.5 (a head that never trained) and a loss that kept 2% of the
    labels: both counted in n_degenerate and named in the flag, the cell kept."""
    per_seed = _per_seed([0.75, 0.8], [0.7, 0.7], [0.8, 0.9])
    diagnostics = MetricsOptions(min_weak_confidence=0.05, min_kept_fraction=0.05)
    rows = []
    for _, r in per_seed.iterrows():
        r = r.to_dict() | {"weak_confidence": 0.015, "kept_fraction": 0.02 if r["seed"] == 0 else 0.5}
        r |= diagnostics.flags(r)
        rows.append(r | {"degenerate": r["weak_degenerate"] or r["few_labels_kept"]})
    row = summarize(pd.DataFrame(rows), diagnostics=diagnostics).iloc[0]
    assert row["n_degenerate"] == 2 and row["n_flagged"] == 0
    assert "weak labels near 0.5 (mean confidence 0.015 < 0.05) in 2/2 seeds" in row["flag"]
    rows[1] |= {"weak_confidence": 0.3, "weak_degenerate": False}  # one seed fine: the note gives the flagged seed's confidence
    one = summarize(pd.DataFrame(rows), diagnostics=diagnostics).iloc[0]["flag"]
    assert "weak labels near 0.5 (mean confidence 0.015 < 0.05) in 1/2 seeds" in one
    assert "kept" in row["flag"] and "in 1/2 seeds" in row["flag"]
    healthy = [r | {"weak_confidence": 0.4, "kept_fraction": 0.6} for r in rows]
    healthy = [r | diagnostics.flags(r) for r in healthy]
    assert not any(r["weak_degenerate"] or r["few_labels_kept"] for r in healthy)


def test_the_cell_table_joins_by_id_keeping_the_examples_all_three_have():
    """The metrics' join of one seed: ceiling and student files may hold their rows in another order
    or miss one; the table keeps the examples all three have, in the weak labels' order, each
    probability on its own example."""
    def predictions(ids, p, gt=None, seed=0, split="test"):
        df = pd.DataFrame({"id": ids, "soft_label": p, "seed": seed, "split": split})
        return df.assign(gt_label=gt) if gt is not None else df

    labels = pd.concat([predictions(["a", "b", "c", "d"], [0.9, 0.2, 0.6, 0.4], [1, 0, 0, 1]),
                        predictions(["a", "b"], [0.1, 0.1], [1, 0], seed=1)])
    ceiling = predictions(["d", "c", "b", "a"], [0.7, 0.3, 0.1, 0.8])  # reversed
    student = predictions(["a", "c", "d"], [0.6, 0.45, 0.55])  # b missing
    cut = [by_seed_and_split(t) for t in (labels, ceiling, student)]
    table = cell_test_table(*cut, seed=0)
    assert list(table.index) == ["a", "c", "d"]
    assert table["gt_label"].tolist() == [1, 0, 1] and table["weak_p1"].tolist() == [0.9, 0.6, 0.4]
    assert table["ceiling_p1"].tolist() == [0.8, 0.3, 0.7] and table["student_p1"].tolist() == [0.6, 0.45, 0.55]
    assert cell_test_table(*cut, seed=1).empty  # no ceiling or student for seed 1
    assert cell_test_table(*cut, seed=0, split="train_b").empty


def test_the_t_quantile_is_scipy_stats_own():
    from scipy.stats import t

    from weak2strong.metrics import t_quantile

    for level in (0.5, 0.9, 0.95, 0.99):
        for dof in (1, 2, 4, 9, 29):
            assert t_quantile(level, dof) == float(t.ppf(0.5 + level / 2, dof))

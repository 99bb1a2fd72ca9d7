import numpy as np
import pandas as pd
import pytest

from weak2strong.metrics import accuracy, agreement, auroc, bootstrap_ci, pgr, summarize


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


def test_bootstrap_ci_brackets_the_mean_and_narrows_with_data():
    rng = np.random.default_rng(0)
    small, large = rng.normal(1.0, 1.0, 5), rng.normal(1.0, 1.0, 200)
    lo_s, hi_s = bootstrap_ci(small)
    lo_l, hi_l = bootstrap_ci(large)
    assert lo_s <= small.mean() <= hi_s and lo_l <= large.mean() <= hi_l
    assert hi_l - lo_l < hi_s - lo_s


def _per_seed(student, weak, ceiling):
    rows = []
    for seed, (s, w, c) in enumerate(zip(student, weak, ceiling)):
        rows.append(dict(dataset="d", regime="linear_probe", early_stopping="none", weak="w", strong="s", loss="xent", seed=seed,
                         weak_acc=w, ceiling_acc=c, student_acc=s, gap=c - w, weak_auroc=w, ceiling_auroc=c, student_auroc=s,
                         pgr=pgr(s, w, c), ceiling_le_weak=c <= w, agreement=0.9,
                         agreement_weak_correct=0.95, agreement_weak_wrong=0.5))
    return pd.DataFrame(rows)


def test_summary_keeps_and_flags_cells_with_ceiling_not_above_weak():
    per_seed = _per_seed([0.75, 0.8, 0.7], [0.7, 0.7, 0.72], [0.8, 0.9, 0.72])
    row = summarize(per_seed, n_boot=500).iloc[0]
    assert row["n_seeds"] == 3 and row["n_flagged"] == 1
    assert row["flag"]
    # mean PGR over the two defined seeds: (0.5 + 0.5) / 2
    assert row["pgr_mean"] == pytest.approx(0.5)
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
    table = methods_table(pd.concat([xent, logconf]), n_boot=500).set_index("loss")
    # paired student-accuracy differences: 0.03, 0.02, 0.01
    assert table.loc["logconf", "student_acc_diff_vs_xent"] == pytest.approx(0.02)
    assert table.loc["logconf", "student_acc_diff_ci_low"] > 0
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

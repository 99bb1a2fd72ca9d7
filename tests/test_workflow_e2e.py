"""The whole workflow, end to end, on a tiny config and data built to contain a weak-to-strong gap."""

import pandas as pd
import pytest

# The fast tier's one end-to-end run (make test-fast): these read the shared tiny run; the report test
# runs jobs of its own and is slow.


def test_students_recover_part_of_the_gap(workflow_run):
    workdir, _ = workflow_run
    summary = pd.read_csv(workdir / "results/metrics/summary.csv")
    summary = summary[summary["supervisor"] == "trained"]  # test_simulated_supervisors_at_matched_accuracy: the others
    assert set(summary["loss"]) == {"xent", "logconf"}
    for _, row in summary.iterrows():
        assert row["n_seeds"] == 3 and row["n_flagged"] == 0
        assert row["ceiling_acc_mean"] - row["weak_acc_mean"] > 0.05  # the gap the data was built to have
        assert row["pgr_of_means"] > 0.2, row.to_dict()
        assert row["pgr_of_means_ci_low"] > 0
        assert row["student_acc_mean"] > row["weak_acc_mean"]


def test_simulated_supervisors_at_matched_accuracy(workflow_run):
    """The simulated supervisors are summary rows like any weak model, the flips at exactly the
    feature-subset probe's accuracy, and the figure shows them."""
    workdir, _ = workflow_run
    summary = pd.read_csv(workdir / "results/metrics/summary.csv").set_index("weak")
    simulated = summary[summary["supervisor"] != "trained"]
    assert dict(simulated["supervisor"]) == {"feature_subset_k4": "feature_subset", "random_noise_k4": "random_noise",
                                             "confident_wrong_k4": "confident_wrong"}
    assert (simulated["strong"] == "minilm_l6").all() and (simulated["n_seeds"] == 3).all()
    accuracy = simulated["weak_acc_mean"]
    assert accuracy["random_noise_k4"] == pytest.approx(accuracy["feature_subset_k4"], abs=1e-9)
    assert accuracy["confident_wrong_k4"] == pytest.approx(accuracy["feature_subset_k4"], abs=1e-9)
    assert accuracy["feature_subset_k4"] < simulated["ceiling_acc_mean"].iloc[0] - 0.05  # a weaker supervisor than the ceiling
    # confident errors: the same flips, surer than the right labels
    assert simulated.loc["confident_wrong_k4", "weak_confidence_mean"] > simulated.loc["random_noise_k4", "weak_confidence_mean"]


def test_label_and_prediction_files_read_with_bare_pandas(workflow_run):
    workdir, _ = workflow_run
    labels = pd.read_parquet(workdir / "results/labels/linear_probe/reviews/minilm_l1_short.parquet")
    assert list(labels.columns) == ["id", "split", "gt_label", "soft_label", "hard_label", "weak_model", "dataset", "seed"]
    assert str(labels["soft_label"].dtype) == "float32" and str(labels["gt_label"].dtype) == "int8"
    assert set(labels["split"]) == {"train_b", "test"} and sorted(labels["seed"].unique()) == [0, 1, 2]
    assert ((labels["soft_label"] > 0.5).astype("int8") == labels["hard_label"]).all()
    splits = pd.read_parquet(workdir / "results/data/reviews/splits/seed0.parquet")
    assert labels.loc[labels["seed"] == 0, "id"].isin(splits["id"]).all()
    student = pd.read_parquet(workdir / "results/predictions/linear_probe/reviews/student/minilm_l1_short/minilm_l6/logconf.parquet")
    assert set(student["role"]) == {"student"} and set(student["loss"]) == {"logconf"}
    joined = student.merge(labels, on=["id", "split", "seed"], suffixes=("_student", "_weak"))  # ids join across files
    assert len(joined) == len(student)


def test_every_figure_is_a_readable_image_with_its_content(workflow_run):
    """Each figure of figures.FIGURES the plan asks for is a PNG that opens, and carries what it
    should: titles name the interval and seed count, the PGR panel names the dataset."""
    import matplotlib.image

    from workflow_helpers import planned_figures

    workdir, config = workflow_run
    planned = planned_figures(config)  # the tiny config's studies: no chains, chess, vision, pairs or prompting
    assert sorted(p.stem for p in (workdir / "results/figures").glob("*.png")) == sorted(planned)
    for name in planned:
        image = matplotlib.image.imread(workdir / "results/figures" / f"{name}.png")
        assert min(image.shape[:2]) > 50 and image.std() > 0.01, name  # drawn, not blank
    log = (workdir / "logs/figures/pgr.log").read_text()
    assert "Traceback" not in log


@pytest.mark.slow
def test_report_holds_every_figure_and_the_metrics_table(workflow_run_copy):
    from workflow_helpers import planned_figures, snakemake

    workdir, config = workflow_run_copy
    snakemake(workdir, "--report", "report.html")
    html = (workdir / "report.html").read_text(errors="replace")
    shown = [f"{n}.png" for n in planned_figures(config)]
    for name in shown + ["summary.csv", "easy_to_hard.csv"]:
        assert name in html
    assert "Fieller" in html  # the captions come from figures.py

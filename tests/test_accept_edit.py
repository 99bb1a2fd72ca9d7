"""accept_edit takes only a run's editable artefacts (pool, splits, labels, predictions), checks that
an edit keeps their columns, types and ids, and gives advice that fits every other case."""

import json
import re
import shutil

import pandas as pd
import pytest

from weak2strong.accept_edit import main as accept_edit
from weak2strong.io import read_parquet, set_job

LABELS = "results/labels/linear_probe/reviews/minilm_l1_short.parquet"


@pytest.fixture
def run(workflow_run, tmp_path):
    """The tiny run's results and Snakemake's folder, copied (no job runs here: a plain copy will do)."""
    workdir, _ = workflow_run
    dest = tmp_path / "w2s"
    shutil.copytree(workdir, dest, symlinks=True, ignore=shutil.ignore_patterns("logs", "benchmarks"))
    return dest


def said(capsys) -> str:
    out = capsys.readouterr()
    return out.out + out.err


def test_an_edited_label_is_accepted_and_read_as_an_accepted_edit(run, capsys, caplog):
    import pyarrow.parquet as pq

    from weak2strong.io import ORIGIN_NAME

    labels = run / LABELS
    origin = pq.read_schema(labels).metadata[ORIGIN_NAME.encode()].decode()
    table = pd.read_parquet(labels)
    table.loc[0, "soft_label"] = 1.0 - table.loc[0, "soft_label"]
    table["hard_label"] = (table["soft_label"] > 0.5).astype("int8")
    table.to_parquet(labels)
    assert accept_edit([str(labels)]) == 0 and "edit accepted" in said(capsys)

    set_job(None, {labels: json.loads(origin)})  # a reader expecting the step's own file
    try:
        assert read_parquet(labels)["soft_label"].iloc[0] == pytest.approx(table["soft_label"].iloc[0])
    finally:
        set_job(None)
    assert "an edit accepted with accept_edit" in caplog.text
    assert str(pq.read_schema(labels).field("hard_label").type) == "int8"  # the schema's types, not pandas' int64


@pytest.mark.parametrize("edit, refusal", [
    (lambda t: t.drop(columns=["weak_model"]), r"the columns are .* but a labels file has"),
    (lambda t: t.assign(id=[f"other-run-{i}" for i in range(len(t))]), r"ids are not those of this run's split"),
    (lambda t: t.iloc[5:], r"ids are not those of this run's split"),
    (lambda t: t.assign(soft_label=0.9), r"hard_label must be 1 where soft_label > 0.5"),
    (lambda t: t.assign(gt_label=1 - t["gt_label"]), r"gt_label is the ground truth"),
    (lambda t: t.assign(soft_label=1.5, hard_label=1), r"soft_label is a probability"),
])
def test_an_edit_that_breaks_the_file_is_refused(edit, refusal, run, capsys):
    """A dropped column, another run's ids (both a KeyError in training before) or inconsistent labels."""
    labels = run / LABELS
    edit(pd.read_parquet(labels)).to_parquet(labels)
    assert accept_edit([str(labels)]) == 1
    message = said(capsys)
    assert "not accepted" in message and re.search(refusal, message), message


@pytest.mark.parametrize("target, advice", [
    ("missing", r"no such file.*Name a Parquet file"),
    ("folder", r"is a folder; accept_edit takes the Parquet files you edited"),
    ("csv", r"not a Parquet file.*Your own data files .* are read as they are"),
    ("outside", r"not a file the workflow wrote.*nothing to accept"),
    ("dataset", r"not a file the workflow wrote"),
    ("metrics", r"is made from other files of the run.*delete it and rerun"),
])
def test_every_other_path_gets_advice_that_fits_it(target, advice, run, tmp_path, capsys):
    """It accepted any Parquet anywhere (a file outside the project, the input dataset) and told a user's
    CSV, a missing path and a whole folder to 'delete it and rerun'."""
    paths = {"missing": run / "results/labels/nothing.parquet", "folder": run / "results/labels",
             "csv": run / "reviews.csv", "outside": tmp_path / "elsewhere.parquet", "dataset": run / "reviews.parquet",
             "metrics": run / "results/metrics/per_seed.parquet"}
    rows = pd.read_json(run / "reviews.jsonl", lines=True)
    rows.to_csv(paths["csv"], index=False)
    rows.to_parquet(paths["outside"]), rows.to_parquet(paths["dataset"])
    assert accept_edit([str(paths[target])]) == 1
    message = said(capsys)
    assert re.search(advice, message, re.S), message
    if target in ("missing", "folder", "csv", "outside", "dataset"):
        assert "delete it" not in message

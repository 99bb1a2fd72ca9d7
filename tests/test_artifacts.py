"""Cached Parquet artefacts carry a content checksum: an edit is detected where the file is read."""

import errno
import os

import pandas as pd
import pytest

from weak2strong.families.vision.steps import VISION_TABLE_SCHEMA
from weak2strong.io import ArtifactError, job_origin, read_parquet, set_job, write_parquet
from weak2strong.schemas import LABELS_SCHEMA
from weak2strong.workflow_support import check_no_folder_where_a_file_belongs


def _labels(n=6) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"e{i}" for i in range(n)], "split": ["test"] * n, "gt_label": [i % 2 for i in range(n)],
                         "soft_label": [0.1 * i for i in range(n)], "hard_label": [int(0.1 * i > 0.5) for i in range(n)],
                         "weak_model": ["w"] * n, "dataset": ["d"] * n, "seed": [0] * n})


@pytest.mark.parametrize("frame", [
    _labels(),
    pd.DataFrame({"x": [1.5, None], "c": pd.Categorical(["u", "v"]), "l": [[1.0, 2.0], None], "s": ["a", None]}),
    _labels().iloc[:0],
])
def test_what_a_step_wrote_reads_back_unchanged(tmp_path, frame):
    write_parquet(frame, tmp_path / "t.parquet")
    assert read_parquet(tmp_path / "t.parquet").shape == frame.shape


def test_a_label_edited_in_pandas_stops_the_reader(tmp_path):
    """The reported case: one soft label changed in pandas and saved; before, every later step
    used it without a word."""
    path = tmp_path / "seed0.parquet"
    write_parquet(_labels(), path, LABELS_SCHEMA)
    edited = pd.read_parquet(path)
    edited.loc[0, "soft_label"] = 0.9
    edited.to_parquet(path)
    with pytest.raises(ArtifactError, match=r"seed0.parquet has no content checksum.*delete it and rerun.*accept_edit"):
        read_parquet(path)
    # an edit that keeps our metadata (pyarrow, schema carried over) is caught by the checksum itself
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    write_parquet(_labels(), path, LABELS_SCHEMA)
    original = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata(original.schema.metadata), path)
    with pytest.raises(ArtifactError, match="does not match the content checksum"):
        read_parquet(path)


def test_vision_tables_with_list_columns_keep_their_checksum(tmp_path):
    frame = pd.DataFrame({"id": ["a"], "split": ["test"], "gt_label": [3], "soft_label": [[0.1, 0.9]], "hard_label": [1],
                          "model": ["m"], "role": ["weak"], "weak_model": [""], "loss": [""], "n_views": [0], "variant": [""], "seed": [0]})
    write_parquet(frame, tmp_path / "v.parquet", VISION_TABLE_SCHEMA)
    assert read_parquet(tmp_path / "v.parquet")["soft_label"].iloc[0].tolist() == pytest.approx([0.1, 0.9])


def test_a_folder_where_a_file_belongs_is_named(tmp_path):
    (tmp_path / "summary.csv").mkdir()
    with pytest.raises(ArtifactError, match=r"summary.csv/: a folder where the workflow writes a file"):
        check_no_folder_where_a_file_belongs([str(tmp_path / "summary.csv"), str(tmp_path / "other.csv")])
    (tmp_path / "labels.parquet").mkdir()
    with pytest.raises(ArtifactError, match="is a folder"):
        read_parquet(tmp_path / "labels.parquet")
    with pytest.raises(ArtifactError, match="is a folder where the workflow writes a file"):
        write_parquet(_labels(), tmp_path / "labels.parquet")


def test_a_full_disk_names_the_file_and_says_nothing_was_left(tmp_path, monkeypatch):
    def no_space(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(ArtifactError, match=r"no space left on the device while writing .*out.parquet: nothing was left half-written"):
        write_parquet(_labels(), tmp_path / "out.parquet")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def job():
    """A job's origin context (io.set_job), reset afterwards so no other test runs inside it."""
    yield set_job
    set_job(None)


WEAK = job_origin("train_weak", {"dataset": "d", "weak": "w"}, {"model": {"layer": 1, "max_length": 8}, "code": "abc"})


@pytest.mark.parametrize("expected, message", [
    (WEAK, None),
    (job_origin("train_weak", {"dataset": "d", "weak": "w"}, {"model": {"layer": 1, "max_length": 16}, "code": "abc"}),
     r"not the file this step would make: it was made by rule train_weak with other settings or code"),
    (job_origin("train_weak", {"dataset": "e", "weak": "w"}, {"model": {"layer": 1, "max_length": 8}, "code": "abc"}),
     r"it was made for dataset=d, weak=w, not for dataset=e, weak=w \(another cell's file\)"),
    (job_origin("simulate_supervisor", {"dataset": "d", "weak": "w"}, {}), r"it was made by rule train_weak, but here rule"),
])
def test_a_reader_compares_an_artefacts_origin_with_what_the_plan_expects(expected, message, job, tmp_path):
    """A label file from a run with another max_length was used (weak accuracy 0.7727 -> 0.7533): the
    checksum proves a file intact, not that it is the file this step would make."""
    labels, features = tmp_path / "labels.parquet", tmp_path / "f.safetensors"
    job(WEAK)
    write_parquet(_labels(), labels, LABELS_SCHEMA)
    import torch

    from weak2strong.io import write_safetensors
    from weak2strong.models.features import load_features

    write_safetensors({"features": torch.zeros(6, 4)}, features, {"ids": "[]"})
    job(None, {labels: expected, str(features): expected})
    for read in (lambda: read_parquet(labels), lambda: load_features.__wrapped__(features)):
        if message is None:
            read()
        else:
            with pytest.raises(ArtifactError, match=message + ".*delete it and rerun snakemake"):
                read()
    job(None, {})
    read_parquet(labels)  # outside a job nothing is expected


def test_a_file_without_an_origin_is_not_taken_for_the_expected_one(job, tmp_path):
    path = tmp_path / "labels.parquet"
    write_parquet(_labels(), path, LABELS_SCHEMA)  # no job: written without an origin
    job(None, {path: WEAK})
    with pytest.raises(ArtifactError, match="holds no record of the step that made it"):
        read_parquet(path)


def test_the_origin_leaves_out_what_the_job_expects_of_its_inputs():
    base = {"model": {"layer": 1}, "code": "abc"}
    assert job_origin("r", {}, {**base, "origins": {"a": 1}}) == job_origin("r", {}, base)
    assert job_origin("r", {}, {**base, "code": "abd"}) != job_origin("r", {}, base)  # the code hash is a param

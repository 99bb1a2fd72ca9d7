"""The tiny configuration is a real file a user can run, and the tests run exactly it."""

import pandas as pd
import yaml

from synthetic import make_rows
from workflow_helpers import REPO, TINY_CONFIG, tiny_config


def test_the_committed_tiny_data_is_what_the_synthetic_generator_makes():
    committed = pd.read_json(REPO / ".test/data/reviews.jsonl", lines=True)
    assert committed.to_dict("records") == make_rows(1400, seed=0)


def test_the_tests_tiny_config_is_the_file_with_only_its_paths_moved(tmp_path):
    ours = tiny_config(tmp_path / "reviews.jsonl", tmp_path / "res")
    on_disk = yaml.safe_load(TINY_CONFIG.read_text())
    assert on_disk["datasets"]["reviews"]["path"] == "data/reviews.jsonl" and (TINY_CONFIG.parents[1] / "data/reviews.jsonl").exists()
    on_disk["resources_dir"], on_disk["datasets"]["reviews"]["path"] = str(tmp_path / "res"), str(tmp_path / "reviews.jsonl")
    assert ours == on_disk

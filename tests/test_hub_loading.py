"""Every hub dataset loads through the registry's own load_dataset call, with the pinned `datasets`,
from a local replica laid out as the dataset is published at the revision the registry names
(tests/hub_replicas.py); a revision that holds only a loading script fails naming the fix."""

from collections import Counter
from dataclasses import replace

import pandas as pd
import pytest
from hub_replicas import PUBLISHED, build_replica, build_script_only, fixture, split_rows

from weak2strong.data.prepare import build_examples, load_records
from weak2strong.data.registry import DATASETS, resolve_dataset
from weak2strong.errors import DatasetError

HUB = sorted(name for name, spec in DATASETS.items() if spec.source == "hub")


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("W2S_HUB_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "mirror"


def test_every_hub_dataset_has_a_published_layout():
    assert sorted(PUBLISHED) == HUB
    for name in HUB:  # the registry loads the revision the layout was published at
        assert (DATASETS[name].hub_revision or "main") == PUBLISHED[name][0], name


@pytest.mark.parametrize("name", HUB)
def test_each_hub_dataset_loads_from_its_published_layout(name, mirror):
    """The rows of every split, and nothing of a sibling config: a multi-config Parquet export has no
    README, so a config name is not found there (``BuilderConfig 'multirc' not found``) and loading it
    without ``data_dir`` mixes every config's rows."""
    spec = DATASETS[name]
    build_replica(mirror, name, spec.hub_path)
    records = load_records(spec)
    expected = split_rows(name)
    assert Counter(r["_hf_split"] for r in records) == {s: len(rows) for s, rows in expected.items()}
    assert not [r for r in records if any("SIBLING" in str(v) for v in r.values())]
    examples = build_examples(spec, records, seed=0)  # the builders read what the loader returns
    assert len(examples) == len(fixture(name)["rows"]) - fixture(name)["bad_rows"]


def test_a_revision_with_only_a_loading_script_fails_naming_the_fix(mirror):
    """``allenai/cosmos_qa`` main is still only a script; `datasets` 5 refuses it."""
    build_script_only(mirror, "allenai/cosmos_qa")
    at_main = replace(DATASETS["cosmos_qa"], hub_revision=None)
    with pytest.raises(DatasetError, match=r"allenai/cosmos_qa' at revision main is served by a loading script.*"
                                           r"`revision: refs/convert/parquet`.*`data_dir: <config>`"):
        load_records(at_main)


def test_a_config_name_on_a_multi_config_export_is_not_found_so_the_registry_uses_its_folder(mirror):
    build_replica(mirror, "ethics_justice", "hendrycks/ethics")
    by_name = replace(DATASETS["ethics_justice"], hub_name="justice", hub_data_dir=None)
    with pytest.raises(DatasetError, match="BuilderConfig 'justice' not found"):
        load_records(by_name)
    assert DATASETS["ethics_justice"].hub_data_dir == "justice" and DATASETS["ethics_justice"].hub_name is None


def test_the_config_overrides_revision_and_data_dir(mirror):
    spec = resolve_dataset("ethics_justice", {"revision": "abc123", "data_dir": "virtue", "split_sizes": {}})
    assert (spec.hub_revision, spec.hub_data_dir) == ("abc123", "virtue")
    with pytest.raises(DatasetError, match=r"has no copy of hub dataset 'hendrycks/ethics' at revision abc123.*hf download"):
        load_records(spec)


def test_check_hub_reports_rows_balance_and_failures(mirror, tmp_path, capsys):
    from weak2strong.check_hub import main

    build_replica(mirror, "ethics_justice", "hendrycks/ethics")
    build_replica(mirror, "wic", "aps/super_glue")
    out = tmp_path / "hub_check.csv"
    assert main(["ethics_justice", "wic", "boolq", "--out", str(out)]) == 1  # boolq: no copy in the mirror
    table = pd.read_csv(out).set_index("dataset")
    justice = table.loc["ethics_justice"]
    assert justice["status"] == "ok" and justice["config"] == "data_dir=justice"
    assert justice["rows_per_split"] == "train 3; validation 2; test 2"
    assert justice["examples"] == 6 and justice["positive_share"] == 0.5 and justice["balanced_pool"] == 6
    assert table.loc["wic", "status"] == "ok" and table.loc["wic", "config"] == "wic"
    assert table.loc["boolq", "status"].startswith("failed: DatasetError") and "no copy" in table.loc["boolq", "status"]
    assert "2 of 3 loaded" in capsys.readouterr().out


def test_datasets_own_refusal_of_a_script_becomes_the_same_error(tmp_path, monkeypatch):
    """Without a mirror, `datasets` itself refuses the script (RuntimeError): the message names the fix."""
    from weak2strong.data.sources import load_hub_records

    monkeypatch.delenv("W2S_HUB_MIRROR", raising=False)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    repo = tmp_path / "cosmos_qa"  # as on the hub: the script is named after the repository
    repo.mkdir()
    (repo / "cosmos_qa.py").write_text("import datasets\n")
    with pytest.raises(DatasetError, match=r"served by a loading script.*found cosmos_qa.py.*refs/convert/parquet"):
        load_hub_records(str(repo), None, ["train"])

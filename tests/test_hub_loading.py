"""Every hub dataset loads through the registry's own load_dataset call, with the pinned `datasets`,
from a local replica laid out as the dataset is published at the revision the registry names
(tests/hub_replicas.py); a revision that holds only a loading script fails naming the fix."""

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hub_replicas import PUBLISHED, build_replica, build_script_only, fixture, split_rows

from weak2strong.data.prepare import build_examples, load_records
from weak2strong.data.registry import DATASETS, resolve_dataset
from weak2strong.errors import ConfigError, DatasetError

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


@pytest.mark.parametrize("key, value", [("revision", "../../../private/notes"), ("revision", "/etc"), ("data_dir", "../../x"),
                                        ("data_dir", "justice/../../../x"), ("revision", "refs/../../x")])
def test_a_revision_or_data_dir_cannot_read_outside_the_mirror(key, value, mirror, tmp_path):
    """Both become folders under W2S_HUB_MIRROR: the reported case read 200 texts of a private folder."""
    from weak2strong.data.sources import load_hub_records

    private = tmp_path / "private" / "notes"
    build_replica(tmp_path / "private-mirror", "sst2", "stanfordnlp/sst2")  # a loadable dataset outside the mirror
    private.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "private-mirror" / "stanfordnlp" / "sst2" / "main").rename(private)
    with pytest.raises(ConfigError, match=rf"datasets\.sst2\.{key}: .* cannot be used here.*no '\.\.'"):
        resolve_dataset("sst2", {key: value, "split_sizes": {}})
    with pytest.raises(ConfigError, match=f"{key} of hub dataset 'stanfordnlp/sst2'.*cannot be used here"):
        load_hub_records("stanfordnlp/sst2", None, ["train"], **{key: value})


def test_the_schema_holds_revision_and_data_dir_to_the_names_pattern():
    import yaml

    from weak2strong.names import RELATIVE_PATH_PATTERN

    schema = yaml.safe_load((Path(__file__).parents[1] / "workflow/schemas/config.schema.yaml").read_text())
    assert schema["$defs"]["relative_path"]["pattern"] == RELATIVE_PATH_PATTERN
    dataset = schema["properties"]["datasets"]["additionalProperties"]["properties"]
    assert dataset["revision"] == dataset["data_dir"] == {"$ref": "#/$defs/relative_path"}


def test_a_mirror_copy_that_datasets_cannot_read_is_not_blamed_on_the_cache(mirror, tmp_path):
    """A mirror entry linked to a folder without data: the message names the mirror copy, not the HF cache."""
    elsewhere = tmp_path / "notes"
    elsewhere.mkdir()
    (elsewhere / "todo.txt").write_text("not a dataset\n")
    entry = mirror / "stanfordnlp" / "sst2" / "main"
    entry.parent.mkdir(parents=True)
    entry.symlink_to(elsewhere)
    with pytest.raises(DatasetError) as info:
        load_records(DATASETS["sst2"])
    assert "mirror copy" in str(info.value) and "Hugging Face cache" not in str(info.value)


@pytest.mark.parametrize("out", ["folder", "table.txt"])
def test_check_hub_refuses_a_bad_out_before_loading_anything(out, tmp_path, monkeypatch):
    from weak2strong import check_hub

    (tmp_path / "folder").mkdir()
    monkeypatch.setattr(check_hub, "check", lambda name: pytest.fail("a dataset was loaded before --out was checked"))
    with pytest.raises(SystemExit) as info:
        check_hub.main(["boolq", "--out", str(tmp_path / out)])
    assert info.value.code == 2

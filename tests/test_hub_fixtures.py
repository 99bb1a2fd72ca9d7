"""Every hub dataset of the registry against a fixture in its hub schema (tests/fixtures/hub/<name>.json:
a few rows written by hand with the hub's column names and types, and one bad row each).

For each: the registry's splits are the fixture's, the loader reads every good row and drops the bad
one with a count in the log, the pool it gives is balanced, rows sharing the group key (same
passage, dialogue, question) share a group, and every text follows the documented template (what the
model must answer comes last, so a long passage is what truncation cuts).
"""

import json
import logging
import random
import re
from pathlib import Path

import pytest

from weak2strong.data.prepare import build_examples
from weak2strong.data.registry import DATASETS
from weak2strong.data.splits import sample_pool
from weak2strong.errors import DatasetError

FIXTURES = Path(__file__).parent / "fixtures" / "hub"
HUB = sorted(name for name, spec in DATASETS.items() if spec.source == "hub")


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def test_every_hub_dataset_has_a_fixture():
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == HUB
    assert len(HUB) >= 22  # the paper's NLP datasets (ETHICS counted per subset)


@pytest.mark.parametrize("name", HUB)
def test_loader_on_its_hub_schema(name, caplog):
    spec, fx = DATASETS[name], fixture(name)
    assert list(spec.hub_splits) == fx["hf_splits"]
    rows = [dict(r, _hf_split=spec.hub_splits[k % len(spec.hub_splits)]) for k, r in enumerate(fx["rows"])]
    with caplog.at_level(logging.WARNING):
        examples = build_examples(spec, rows, seed=0)
    assert f"dropped {fx['bad_rows']}" in caplog.text, caplog.text  # bad rows: dropped and counted
    assert len(examples) == len(rows) - fx["bad_rows"]
    assert set(examples["label"]) == {0, 1}
    pool = sample_pool(examples, None, seed=0)
    assert (pool["label"] == 1).sum() == (pool["label"] == 0).sum()  # balanced, as the paper
    for text in examples["text"]:
        assert re.search(fx["ends_with"], text), (name, text)
    if fx["same_group"]:
        a, b = (spec.build(fx["rows"][k], random.Random(k))[0][2] for k in fx["same_group"])
        assert a is not None and a == b  # related rows share a group: never on two sides of a split


def test_a_source_whose_fields_do_not_match_is_an_error_not_an_empty_dataset():
    rows = [{"text": "a", "label": 1}, {"text": "b", "label": 0}]
    with pytest.raises(DatasetError, match=r"boolq.*no record of 2 could be read \(2 × no field 'passage'\)"):
        build_examples(DATASETS["boolq"], rows, seed=0)


def test_openbookqa_shows_the_answers_text_never_its_letter():
    rec = fixture("openbookqa")["rows"][2]  # "Which is a conductor?", key B = copper wire
    shown = {DATASETS["openbookqa"].build(rec, random.Random(k))[0] for k in range(40)}
    assert ("Q: Which is a conductor?\nAnswer: copper wire", 1, rec["id"]) in shown
    assert not any(text.endswith("Answer: B") for text, _, _ in shown)


def test_anthropic_hh_compares_the_two_final_turns_of_one_prompt():
    rec = fixture("anthropic_hh")["rows"][2]  # capital of France: Paris (chosen) vs I don't know
    out = {DATASETS["anthropic_hh"].build(rec, random.Random(k))[0] for k in range(40)}
    assert {label for _, label, _, _ in out} == {0, 1}
    for text, label, group, (prompt, c1, c2) in out:
        first = text.split("<|Completion 1|> ")[1].split("\n")[0]
        assert (first == "Paris.") == bool(label) == (c1 == "Paris.")  # label 1: completion 1 is the preferred one
        assert {c1, c2} == {"Paris.", "I don't know."}
        assert group.strip() == prompt  # grouped by the shared prompt
        assert group.endswith("Assistant:") and "Paris" not in group


def test_shp_prefers_the_comment_its_label_names():
    rec = fixture("shp")["rows"][3]  # labels 0: B ("Yes: it saves money ...") is preferred
    for k in range(20):
        _, label, group, (prompt, c1, c2) = DATASETS["shp"].build(rec, random.Random(k))[0]
        assert (c1 if label else c2).startswith("Yes: it saves money")
        assert group == "p3" and prompt == "Is it worth learning to cook?"


def test_ethics_utilitarianism_states_an_answer_right_half_the_time():
    rec = fixture("ethics_utilitarianism")["rows"][0]
    out = [DATASETS["ethics_utilitarianism"].build(rec, random.Random(k))[0] for k in range(400)]
    assert 0.4 < sum(label for _, label, _ in out) / len(out) < 0.6
    for text, label, _ in out:
        first = text.split("\n1) ")[1].split("\n")[0]
        stated = int(text[-1])
        assert (stated == (1 if first == rec["baseline"] else 2)) == bool(label)


@pytest.mark.slow
def test_a_config_listing_every_hub_dataset_builds_its_dag(tmp_path):
    """`snakemake -n` plans every dataset's pool, splits, features and cells (nothing is loaded)."""
    import yaml

    from workflow_helpers import REPO, snakemake

    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["datasets"] = {name: {"max_examples": 4000, "split_sizes": {"train_a": 1000, "train_b": 1500, "test": 1000}} for name in HUB}
    config.pop("easy_to_hard", None), config.pop("simulated", None), config.pop("bootstrap", None)
    (tmp_path / "all_hub.yaml").write_text(yaml.safe_dump(config))
    out = snakemake(tmp_path, "-n", "--quiet", "rules", config="all_hub.yaml").stdout
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", out.split("Job stats:")[1], flags=re.M))
    assert int(jobs["prepare_dataset"]) == len(HUB) and int(jobs["train_weak"]) == 2 * len(HUB)

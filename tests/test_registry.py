"""Dataset declarations: how records become binary examples (hub formatters tested on hand-made rows)."""

import json
import random

import pytest

from weak2strong.data.prepare import build_examples
from weak2strong.data.registry import COSMOS_NONE, DATASETS, Filtered
from weak2strong.data.sources import load_bigbench_records


def test_multiple_choice_becomes_correct_or_distractor_half_the_time():
    spec = DATASETS["sciq"]
    rng = random.Random(0)
    rec = {"question": "What is H2O?", "correct_answer": "water", "distractor1": "salt", "distractor2": "iron", "distractor3": "gold"}
    out = [spec.build(rec, rng)[0] for _ in range(2000)]
    positives = [t for t, y, g in out if y == 1]
    assert 0.45 < len(positives) / len(out) < 0.55
    assert all(t.endswith("Answer: water") for t in positives)
    assert all(not t.endswith("water") for t, y, g in out if y == 0)
    assert {g for _, _, g in out} == {"What is H2O?"}  # grouped by question


def test_cosmos_none_of_the_above_is_never_a_shortcut():
    spec = DATASETS["cosmos_qa"]
    rng = random.Random(1)
    gold_none = {"context": "c", "question": "q", "answer0": COSMOS_NONE, "answer1": "a", "answer2": "b", "answer3": "d", "label": 0}
    with pytest.raises(Filtered, match="None of the above"):  # left out, and counted by reason (prepare.build_examples)
        spec.build(gold_none, rng)
    other = {"context": "c", "question": "q", "answer0": "right", "answer1": COSMOS_NONE, "answer2": "b", "answer3": "d", "label": 0}
    shown = [spec.build(other, rng)[0][0] for _ in range(300)]
    assert not any(COSMOS_NONE in t for t in shown)


def test_boolq_groups_questions_by_passage():
    spec = DATASETS["boolq"]
    out = spec.build({"passage": "P", "question": "is it", "answer": True}, random.Random(0))
    assert out == [("P\nQuestion: is it?", 1, "P")]


def test_bigbench_binary_tasks_drop_other_classes_and_group_vitaminc_by_page(tmp_path):
    task = {"examples": [
        {"input": "Page A: evidence.\nClaim: x", "target_scores": {"True": 1, "False": 0, "Neither": 0}},
        {"input": "Page A: evidence 2.\nClaim: y", "target_scores": {"True": 0, "False": 1, "Neither": 0}},
        {"input": "Page B: other.\nClaim: z", "target_scores": {"True": 0, "False": 0, "Neither": 1}},
    ]}
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task))
    df = build_examples(DATASETS["vitaminc"], load_bigbench_records(path), seed=0)
    assert sorted(df["label"].tolist()) == [0, 1]
    assert set(df["group"]) == {"Page A"}


def test_offline_registry_has_sentiment_and_fact_checking_tasks():
    offline = {name for name, spec in DATASETS.items() if spec.source == "bigbench"}
    assert {"multiemo_sentiment", "fever", "vitaminc"} <= offline
    vader = {name for name, spec in DATASETS.items() if spec.source == "vader"}
    assert {"movie_sentiment", "nyt_editorial_sentiment", "movie_pairs"} <= vader
    assert {"sciq", "boolq", "cosmos_qa", "amazon_polarity"} <= {n for n, s in DATASETS.items() if s.source == "hub"}


def test_winowhy_keeps_every_reason_for_one_sentence_together(tmp_path):
    sentence = "The city councilmen refused the demonstrators a permit because they feared violence."
    task = {"examples": [
        {"input": f"{sentence} The 'they' refers to the city councilmen because they are responsible.",
         "target_scores": {"correct": 1, "incorrect": 0}},
        {"input": f"{sentence} The 'they' refers to the demonstrators because they like permits.",
         "target_scores": {"correct": 0, "incorrect": 1}},
        {"input": "The trophy didn't fit in the suitcase because it was too big. The 'it' refers to the trophy because it is big.",
         "target_scores": {"correct": 1, "incorrect": 0}},
    ]}
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task))
    df = build_examples(DATASETS["winowhy"], load_bigbench_records(path), seed=0)
    assert df["group"].tolist().count(sentence) == 2 and df["group"].nunique() == 2
    assert sorted(df["label"]) == [0, 1, 1]


def test_a_hub_id_on_a_registry_backbones_name_is_refused_not_ignored():
    """`models: {gpt2: {hub_id: ./my-gpt2}}` loaded the registry's openai-community/gpt2 without a word."""
    from weak2strong.errors import ConfigError
    from weak2strong.models.registry import resolve_model

    with pytest.raises(ConfigError, match=r"models.gpt2: hub_id './my-gpt2' is given, but 'gpt2' is a backbone of the model registry"):
        resolve_model("gpt2", {"hub_id": "./my-gpt2", "arch": "decoder", "n_layers": 2})
    assert resolve_model("gpt2", {"backbone": "my-gpt2", "hub_id": "./my-gpt2", "n_layers": 2}).backbone.hub_id == "./my-gpt2"

"""Texts longer than a model's window: cut where the template allows, counted, never silently."""

import random

import pytest

from weak2strong.data.registry import DATASETS
from weak2strong.models.backbone import load_tokenizer
from weak2strong.models.registry import resolve_model
from weak2strong.models.tokens import tokenize


@pytest.fixture(scope="module")
def tokenizer(minilm, test_resources):
    return load_tokenizer(resolve_model("minilm_l6", {"backbone": "minilm-l6"}), test_resources)


@pytest.mark.parametrize("dataset", ["boolq", "cosmos_qa"])
def test_a_long_passage_is_cut_and_the_question_and_answer_survive(tokenizer, dataset):
    """BoolQ and CosmosQA put the passage first: cut from the right, a long passage pushes the
    question (and CosmosQA's shown answer) out of the window; their registry entries cut from the
    left, so only the passage is shortened."""
    passage = " ".join(f"the river number {i} flows north through the valley." for i in range(60))
    question = "does the longest river flow into the southern sea"
    record = {"boolq": {"passage": passage, "question": question, "answer": True},
              "cosmos_qa": {"context": passage, "question": question, "answer0": "yes it does", "answer1": "no",
                            "answer2": "maybe", "answer3": "never", "label": 0}}[dataset]
    (text, _, _), = DATASETS[dataset].build(record, random.Random(0))
    enc = tokenize(tokenizer, [text, "a short text"], 48, DATASETS[dataset].truncation)
    kept = tokenizer.decode(enc["input_ids"][0], skip_special_tokens=True)
    assert question in kept and len(enc["input_ids"][0]) == 48
    assert enc["input_ids"][0][0] == tokenizer.cls_token_id  # special tokens stay where the model expects them
    assert enc["n_truncated"] == 1 and enc["n_texts"] == 2
    if dataset == "cosmos_qa":
        assert kept.rstrip().endswith(tokenizer.decode(tokenizer(text)["input_ids"][-6:-1]).strip())
    # the failure this prevents: cut from the right, the question is gone
    right = tokenizer.decode(tokenize(tokenizer, [text], 48, "right")["input_ids"][0], skip_special_tokens=True)
    assert question not in right


def test_truncation_is_logged_with_the_count(tokenizer, caplog):
    with caplog.at_level("WARNING"):
        tokenize(tokenizer, ["word " * 100, "short", "word " * 80], 16, "right", what="test texts")
    assert "2 of 3 test texts" in caplog.text and "cut from the right" in caplog.text


@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_batch_matches_the_tokenizers_own_padding(tokenizer, side):
    import torch

    from weak2strong.models.tokens import pad_batch

    texts = ["a short one", "a somewhat longer sentence with more words in it", "mid length text here"]
    ids = tokenizer(texts)["input_ids"]
    previous = tokenizer.padding_side
    tokenizer.padding_side = side
    try:
        expected = tokenizer.pad({"input_ids": ids}, return_tensors="pt")
    finally:
        tokenizer.padding_side = previous
    got = pad_batch(ids, tokenizer.pad_token_id, side)
    assert torch.equal(got["input_ids"], expected["input_ids"])
    assert torch.equal(got["attention_mask"], expected["attention_mask"])


def test_pad_batch_without_a_pad_token_says_how_to_fix_it():
    from weak2strong.models.tokens import pad_batch

    with pytest.raises(ValueError, match="no pad token"):
        pad_batch([[1, 2], [3]], None)

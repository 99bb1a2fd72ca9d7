"""Generative fine-tuning (training/generative.py) on a tiny random-init decoder: the loss reads the
target only, a long prompt loses its start (never the target), training learns a mapping it can
be tested on, and left padding does not change a greedy completion."""

import math
import random

import pytest
import torch
from tiny_decoder import save_tiny_decoder

from weak2strong.models.decoder import load_causal_lm, load_decoder_tokenizer
from weak2strong.models.registry import resolve_model
from weak2strong.training.generative import IGNORE, encode_pairs, greedy_completions, train_lm
from weak2strong.training.loop import TrainConfig


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = save_tiny_decoder(tmp_path_factory.mktemp("dec") / "tiny")
    return resolve_model("tiny", {"backbone": "tiny", "hub_id": str(path), "arch": "decoder", "n_layers": 2, "n_params": 0.2})


def test_labels_cover_the_target_and_its_end_only_and_a_long_prompt_loses_its_start(tiny):
    tok = load_decoder_tokenizer(tiny, "unused")
    ids, labels, n_cut = encode_pairs(tok, ["abc", "0123456789"], ["Nf3", "e4"], max_length=8)
    eos = tok.eos_token_id
    assert ids[0] == tok("abc Nf3", add_special_tokens=False)["input_ids"] + [eos]  # character tokens: 3 + 4 + EOS
    assert labels[0] == [IGNORE] * 3 + tok(" Nf3", add_special_tokens=False)["input_ids"] + [eos]
    # " e4" + EOS is 4 tokens, so 4 prompt tokens fit: the last four digits
    assert ids[1][:4] == tok("6789", add_special_tokens=False)["input_ids"] and n_cut == 1
    assert labels[1][:4] == [IGNORE] * 4
    with pytest.raises(ValueError, match="no room"):
        encode_pairs(tok, ["a"], ["Nf3xe5+"], max_length=8)


@pytest.mark.slow
def test_fine_tuning_learns_a_mapping_it_is_tested_on(tiny):
    torch.manual_seed(0)
    tok = load_decoder_tokenizer(tiny, "unused")
    model = load_causal_lm(tiny, "unused", "cpu")
    rng = random.Random(0)
    answers = ["Qh5", "Nf3", "e4", "Rxe8#", "O-O", "Bb5+"]
    keys = [rng.randrange(len(answers)) for _ in range(300)]
    prompts = [f"Puzzle {rng.randrange(1000)} key {k}:" for k in keys]
    targets = [answers[k] for k in keys]

    def exact(outs, want):
        return sum(o.split()[:1] == [w] for o, w in zip(outs, want)) / len(want)

    before = exact(greedy_completions(model, tok, prompts[200:], 6, 64), targets[200:])
    info = train_lm(model, tok, prompts[:200], targets[:200], TrainConfig(lr=3e-3, batch_size=16, epochs=6, warmup_frac=0.1), 64,
                    seed=0)
    after = exact(greedy_completions(model, tok, prompts[200:], 6, 64), targets[200:])
    assert before < 0.2 and after > 0.9
    assert info["losses"][-1] < info["losses"][0] / 5 and info["steps"] == 6 * 13  # 6 epochs of ceil(200 / 16) batches


def test_left_padding_does_not_change_a_greedy_completion(tiny):
    tok = load_decoder_tokenizer(tiny, "unused")
    model = load_causal_lm(tiny, "unused", "cpu")
    short, long = "key 1:", "a much longer prompt that pads the short one, key 2:"
    alone = greedy_completions(model, tok, [short], 5, 128)
    batched = greedy_completions(model, tok, [long, short], 5, 128, batch_size=2)
    assert batched[1] == alone[0]


class BosTokenizer:
    """A word tokenizer that, like Gemma's, puts <bos> (id 2) before a text when asked for special tokens."""

    eos_token_id, bos_token_id = 1, 2

    def __call__(self, text, add_special_tokens=True):
        ids = [10 + len(w) for w in text.split()]
        return {"input_ids": ([2] if add_special_tokens else []) + ids}


def test_prompts_keep_the_tokenizers_bos_also_when_cut_from_the_left():
    """Gemma writes garbage without <bos>: prompts are read with the special tokens the tokenizer puts
    before a text, and a prompt cut to fit keeps them in front (the cut takes words from the start)."""
    from weak2strong.training.generative import prompt_tokens

    tok = BosTokenizer()
    assert prompt_tokens(tok, "a bb ccc") == ([2, 11, 12, 13], False)
    assert prompt_tokens(tok, "a bb ccc dddd", room=3) == ([2, 13, 14], True)
    ids, labels, n_cut = encode_pairs(tok, ["a bb ccc dddd"], ["eeeee"], max_length=5)
    assert ids == [[2, 13, 14, 15, 1]] and labels == [[IGNORE, IGNORE, IGNORE, 15, 1]] and n_cut == 1


def test_the_warm_up_is_a_fraction_of_the_steps_unless_given_in_steps():
    """One schedule for both loops (training/loop.lr_factor): the generative loop's warm-up was a fraction
    of its steps in a vocabulary of its own; it is TrainConfig's ``warmup_frac``, which ``warmup_steps`` overrides."""
    from weak2strong.training.loop import lr_factor, warmup_steps

    frac = TrainConfig(lr=1.0, warmup_frac=0.1)
    assert warmup_steps(105, frac) == 10  # int(10.5): rounded down, as the generative loop did
    assert [lr_factor(s, 105, frac) for s in (0, 4, 9)] == pytest.approx([0.1, 0.5, 1.0])
    assert lr_factor(10, 105, frac) == pytest.approx(1.0)
    assert lr_factor(104, 105, frac) == pytest.approx(0.5 * (1 + math.cos(math.pi * 94 / 95)))  # cosine over the other 95
    steps = TrainConfig(lr=1.0, warmup_steps=4, warmup_frac=0.5)
    assert warmup_steps(100, steps) == 4 and lr_factor(3, 100, steps) == 1.0 and lr_factor(4, 100, steps) == 1.0
    assert warmup_steps(100, TrainConfig(lr=1.0)) == 0 and lr_factor(0, 100, TrainConfig(lr=1.0)) == 1.0  # the classifier's default: none

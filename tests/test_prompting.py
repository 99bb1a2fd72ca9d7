"""Prompting baselines: label-word scoring on a tiny decoder (the cached prefix gives what scoring each
prompt whole gives), the demonstrations, and the prompting cells through the workflow."""

import numpy as np
import pandas as pd
import pytest
import torch
from tiny_decoder import save_tiny_decoder

from weak2strong.families.prompting.plan import MODES
from weak2strong.families.prompting.steps import draw_demonstrations, label_word_ids, prompt_p1, query, shared_prefix


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = save_tiny_decoder(tmp_path_factory.mktemp("dec") / "tiny-decoder")
    return AutoModelForCausalLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path), path


def test_answer_words_after_a_space_token(tiny):
    _, tok, _ = tiny
    tail, (id0, id1) = label_word_ids(tok)  # a character tokenizer: " 1" is a space, then "1"
    assert tok.convert_ids_to_tokens(tail) == [" "]
    assert tok.convert_ids_to_tokens([id0, id1]) == ["0", "1"]


def test_label_word_scores_with_the_cached_prefix_equal_scoring_each_prompt_whole(tiny):
    model, tok, _ = tiny
    prefix = shared_prefix("Respond with 1 if it is good, and with 0 otherwise.",
                           pd.DataFrame({"text": ["a fine day", "bad"]}), [1, 0])
    texts = ["lovely", "a rather long text about nothing in particular", "x", "meh!"]
    p = prompt_p1(model, tok, prefix, texts, batch_size=3)  # two batches, padded on the right
    tail, (id0, id1) = label_word_ids(tok)
    for text, got in zip(texts, p):
        ids = tok(prefix)["input_ids"] + tok(query(text), add_special_tokens=False)["input_ids"] + tail
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0, -1]
        assert got == pytest.approx(torch.softmax(logits[[id0, id1]], -1)[1].item(), abs=1e-5)
    assert not np.allclose(p, p[0])  # the texts matter


def test_demonstrations_are_balanced_and_drawn_per_seed():
    train_b = pd.DataFrame({"id": [f"i{k}" for k in range(40)], "text": [f"t{k}" for k in range(40)], "label": [k % 2 for k in range(40)]})
    a, b = draw_demonstrations(train_b, 4, seed=0), draw_demonstrations(train_b, 4, seed=1)
    assert sorted(a["label"]) == [0, 0, 1, 1] and list(a["id"]) != list(b["id"])
    assert list(draw_demonstrations(train_b, 4, seed=0)["id"]) == list(a["id"])  # reproducible
    gt, weak = shared_prefix("I.", a, a["label"]), shared_prefix("I.", a, 1 - a["label"])
    assert gt.replace("Answer: 1", "Answer: X").replace("Answer: 0", "Answer: 1").replace("Answer: X", "Answer: 0") == weak
    with pytest.raises(ValueError, match="train_b has 2 examples of class 0; 3 demonstrations need more"):
        draw_demonstrations(train_b.iloc[:4], 6, seed=0)


def test_weak_label_demonstrations_are_balanced_on_the_weak_labels_not_on_ground_truth(monkeypatch):
    """The few-shot (weak) condition sees no ground truth: its examples are chosen half of each class by
    the weak labels and shown with them, so changing the ground truth changes nothing it sees."""
    from weak2strong.families.prompting import steps
    from weak2strong.families.prompting.plan import PromptingPlan
    from weak2strong.families.prompting.steps import run_prompting

    n = 60
    weak_hard = [int(k % 4 != 0) for k in range(n)]  # a weak model that says 1 for three quarters
    split = pd.DataFrame({"id": [f"i{k:02d}" for k in range(n)], "text": [f"t{k}" for k in range(n)],
                          "label": [k % 2 for k in range(n)], "split": ["train_b"] * 40 + ["test"] * 20})
    weak = pd.DataFrame({"id": split["id"], "seed": 0, "split": split["split"], "hard_label": weak_hard})
    seen = {}

    def fake_p1(model, tokenizer, prefix, texts, *args, desc="", **kw):
        seen[desc] = prefix
        return np.full(len(texts), 0.5)

    monkeypatch.setattr(steps, "prompt_p1", fake_p1)
    plan = PromptingPlan(["m"], ["d"], "w", k=5, test_size=None)
    run_prompting(None, None, "I.", {0: split}, weak, plan, "m", "d")
    shown = [line for line in seen["few-shot (weak labels) seed 0"].split("\n\n") if line.startswith("Text:")]
    assert sorted(line[-1] for line in shown) in (["0", "0", "1", "1", "1"], ["0", "0", "0", "1", "1"])  # balanced by weak labels
    weak_of = dict(zip(split["text"], weak_hard))
    assert all(int(line[-1]) == weak_of[line.split("\n")[0][len("Text: "):]] for line in shown)
    flipped = split.assign(label=1 - split["label"])
    run_prompting(None, None, "I.", {0: flipped}, weak, plan, "m", "d")
    assert seen["few-shot (weak labels) seed 0"] == "I.\n\n" + "".join(line + "\n\n" for line in shown)


@pytest.mark.slow
def test_prompting_cells_join_the_summary_and_figure(decoder_workflow):
    workdir, config, planned = decoder_workflow  # the tiny run plus a decoder (dec), prompted with k=2 on 30 test texts
    assert planned.get("prompt_decoder") == 1 and "train_weak" not in planned and "prepare_dataset" not in planned  # only what is new
    summary = pd.read_csv(workdir / "results/metrics/summary.csv")
    prompted = summary[summary["supervisor"] == "prompting"]
    assert sorted(prompted["loss"]) == sorted(MODES) and set(prompted["strong"]) == {"dec"}
    assert (prompted["n_seeds"] == 3).all() and prompted["student_acc_mean"].between(0, 1).all()
    table = pd.read_parquet(workdir / "results/prompting/reviews/dec/few_shot_weak.parquet")
    assert table.groupby("seed").size().tolist() == [30, 30, 30] and set(table["weak_model"]) == {"minilm_l1_short"}
    assert (workdir / "results/figures/prompting.png").stat().st_size > 0

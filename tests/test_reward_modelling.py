"""Reward modelling: comparison pairs, the pair score p(c1 preferred) = sigmoid(r1 − r2), and a small
comparison dataset through the whole workflow."""

import json
import logging
import math
import random
import types

import pandas as pd
import pytest
import torch
from torch import nn

from weak2strong.data.pairs import pair_example
from weak2strong.data.prepare import build_examples
from weak2strong.data.registry import DATASETS, _multiemo_comparisons, resolve_dataset
from weak2strong.errors import DatasetError
from weak2strong.models.classifier import Classifier
from weak2strong.training.probe import LinearProbe

from synthetic import make_rows
from workflow_helpers import REPO, snakemake, tiny_config


def test_pairwise_probe_is_the_sigmoid_of_the_score_difference():
    std = torch.tensor([2.0, 0.5])
    probe = LinearProbe(torch.tensor([9.0, 9.0]), std, pairwise=True)  # a mean is ignored: pair differences are not centred
    with torch.no_grad():
        probe.head.weight.copy_(torch.tensor([[0.0, 0.0], [1.0, -2.0]]))
    f1, f2 = torch.tensor([3.0, 1.0]), torch.tensor([1.0, 0.5])
    r1 = 1.0 * 3.0 / 2.0 - 2.0 * 1.0 / 0.5   # r(c) = w · (f(c) / std) = -2.5
    r2 = 1.0 * 1.0 / 2.0 - 2.0 * 0.5 / 0.5   # -1.5
    p = torch.softmax(probe((f1 - f2)[None]), -1)[0, 1].item()
    assert p == pytest.approx(1 / (1 + math.exp(-(r1 - r2))), abs=1e-6)  # sigmoid(-1) = 0.269
    swapped = torch.softmax(probe((f2 - f1)[None]), -1)[0, 1].item()
    assert swapped == pytest.approx(1 - p, abs=1e-7)  # swapping the completions flips p exactly
    assert probe.head.bias is None


class _Embeddings(nn.Module):
    """A stand-in backbone: hidden state = token embedding (enough to check how pairs are scored)."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 3)
        self.config = types.SimpleNamespace(hidden_size=3)

    def forward(self, input_ids, attention_mask, output_hidden_states=True):
        h = self.emb(input_ids)
        return types.SimpleNamespace(hidden_states=(h, h))


def test_a_fine_tuned_reward_model_scores_each_completion_and_takes_the_difference():
    torch.manual_seed(0)
    model = Classifier(_Embeddings(), 3, "mean", 1)
    nn.init.normal_(model.head.weight)
    nn.init.normal_(model.head.bias)
    a, b = torch.tensor([[1, 2, 3]]), torch.tensor([[4, 5, 0]])
    mask_a, mask_b = torch.ones_like(a), torch.tensor([[1, 1, 0]])

    def r(ids, mask):  # the reward of one completion: the head's logit difference on its pooled features
        logits = model(ids, mask)[0]
        return (logits[1] - logits[0]).item()

    pair = model(a, mask_a, b, mask_b)
    p = torch.softmax(pair, -1)[0, 1].item()
    assert p == pytest.approx(1 / (1 + math.exp(-(r(a, mask_a) - r(b, mask_b)))), abs=1e-6)
    p_swapped = torch.softmax(model(b, mask_b, a, mask_a), -1)[0, 1].item()
    assert p_swapped == pytest.approx(1 - p, abs=1e-6)  # the head's bias cancels


def test_sides_are_drawn_at_random_so_classes_balance():
    rng = random.Random(0)
    draws = [pair_example("Q?", "good answer", "bad answer", rng, None) for _ in range(4000)]
    share = sum(label for _, label, _, _ in draws) / len(draws)
    assert 0.47 < share < 0.53  # 4000 fair coin flips: ±3 points is ±3.8 standard deviations
    for text, label, _, (prompt, c1, c2) in draws[:50]:
        assert (c1 == "good answer") == bool(label)  # label 1: completion 1 is the preferred one
        assert text.startswith("Q?\n<|Completion 1|> " + c1)


@pytest.mark.parametrize("chosen, rejected, message", [("", "no", "an empty completion"), ("same", "same", "two identical")])
def test_bad_pairs_are_rejected_with_a_message(chosen, rejected, message, caplog):
    with pytest.raises(ValueError, match=message):
        pair_example("Q?", chosen, rejected, random.Random(0), None)
    spec = DATASETS["anthropic_hh"]
    good = [{"chosen": f"\n\nHuman: Hi {k}\n\nAssistant: Hello!", "rejected": f"\n\nHuman: Hi {k}\n\nAssistant: Go away."}
            for k in range(10)]
    bad = {"chosen": f"\n\nHuman: Hi\n\nAssistant: {chosen}", "rejected": f"\n\nHuman: Hi\n\nAssistant: {rejected}"}
    with caplog.at_level(logging.WARNING):
        examples = build_examples(spec, [*good, bad], seed=0)
    assert len(examples) == 10 and "dropped 1 of 11 records" in caplog.text and message in caplog.text
    assert list(examples.columns) == ["id", "text", "label", "group", "prompt", "c1", "c2"]
    with pytest.raises(DatasetError, match="no record of 1 could be read"):
        build_examples(spec, [bad], seed=0)


def test_multiemo_comparisons_use_each_sentence_once():
    records = [{"input": f"nice {i}", "target": "positive"} for i in range(30)] + \
              [{"input": f"bad {i}", "target": "negative"} for i in range(20)] + [{"input": "meh", "target": "neutral"}]
    pairs = _multiemo_comparisons(records, random.Random(0))
    assert len(pairs) == 20
    assert all(p["chosen"].startswith("nice") and p["rejected"].startswith("bad") for p in pairs)
    used = [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs]
    assert len(set(used)) == len(used)  # no sentence in two pairs, so none can be on two sides of a split


def test_a_local_comparison_file_names_a_missing_field(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"question": "Q?", "good": "a", "bad": "b"}) + "\n")
    spec = resolve_dataset("mine", {"source": "local", "path": str(path), "prompt_field": "question", "chosen_field": "best",
                                    "rejected_field": "bad", "split_sizes": {}})
    from weak2strong.data.prepare import load_records

    with pytest.raises(DatasetError, match="no column 'best' \\(the dataset's chosen_field\\)"):
        load_records(spec)


def pair_rows(n: int, seed: int = 0) -> list[dict]:
    """Comparison pairs from the synthetic reviews: a positive and a negative one; the positive preferred."""
    rows = make_rows(2 * n, seed)
    pos = [r["sentence"] for r in rows if r["sentiment"] == "pos"]
    neg = [r["sentence"] for r in rows if r["sentiment"] == "neg"]
    return [{"question": "Which review is more positive?", "good": p, "bad": q, "pair": f"pair{k}"}
            for k, (p, q) in enumerate(zip(pos, neg))]


@pytest.mark.slow
def test_a_comparison_dataset_runs_end_to_end_and_the_strong_reward_model_learns_more(tmp_path, minilm, test_resources):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in pair_rows(800)))
    config = tiny_config(path, test_resources)
    config["datasets"] = {"prefs": {"source": "local", "path": str(path), "prompt_field": "question", "chosen_field": "good",
                                    "rejected_field": "bad", "group_field": "pair",
                                    "max_examples": 700, "split_sizes": {"train_a": 200, "train_b": 300, "test": 200}}}
    config["experiment"]["losses"] = ["xent"]
    config["losses"] = {"xent": {}}
    for block in ("easy_to_hard", "simulated"):
        config.pop(block)
    import yaml

    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake(tmp_path, "results/figures/rm_pgr.png", "results/metrics/summary.csv")
    assert (tmp_path / "results/figures/rm_pgr.png").stat().st_size > 0
    labels = pd.read_parquet(tmp_path / "results/labels/linear_probe/prefs/minilm_l1_short.parquet")
    assert labels["soft_label"].between(0, 1).all() and labels["soft_label"].std() > 0.05  # an informative weak RM
    splits = pd.read_parquet(next((tmp_path / "results").glob("**/prefs/**/seed0.parquet")))
    assert {"prompt", "c1", "c2"} <= set(splits.columns) and splits["label"].mean() == 0.5
    summary = pd.read_csv(tmp_path / "results/metrics/summary.csv").set_index("loss").loc["xent"]
    assert summary["ceiling_acc_mean"] > summary["weak_acc_mean"] + 0.05
    assert summary["student_acc_mean"] > summary["weak_acc_mean"]  # pairwise accuracy; PGR > 0


def test_pair_polarity_scores_each_subset_of_the_test_pairs_on_its_own():
    """benchmarks/pair_polarity.py: pairs the sign decides (opposite polarity) against graded ones
    (same polarity): a weak model right on every opposite pair and on half the same-sign ones has
    no gap to close on the first kind, and the PGR of the whole set is not the PGR of either."""
    import importlib.util

    from weak2strong.metrics import subset_rows

    spec = importlib.util.spec_from_file_location("pair_polarity", REPO / "benchmarks/pair_polarity.py")
    polarity = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(polarity)

    ratings = {f"p{i}": 1.0 + i for i in range(3)} | {f"n{i}": -1.0 - i for i in range(3)}
    examples = pd.DataFrame({"id": ["a", "b", "c", "d"], "c1": ["p0", "n0", "p1 ", "n1"], "c2": ["p2", "n2", "n0", "p0"]})
    kind = polarity.pair_polarity(examples, ratings)
    assert kind.to_dict() == {"a": "same_sign", "b": "same_sign", "c": "opposite_sign", "d": "opposite_sign"}
    with pytest.raises(SystemExit, match="no rating"):
        polarity.pair_polarity(examples.assign(c1=["unrated", "n0", "p1", "n1"]), ratings)

    ids = [f"x{k}" for k in range(8)]
    kind = pd.Series(["same_sign"] * 4 + ["opposite_sign"] * 4, index=ids)
    y = [1, 0] * 4

    def frame(right, seeds=range(3)):  # right[k]: whether row k's prediction is right
        return pd.concat([pd.DataFrame({"id": ids, "split": "test", "seed": s, "gt_label": y,
                                        "soft_label": [float(t if r else 1 - t) for t, r in zip(y, right)]}) for s in seeds])

    weak = frame([1, 0, 1, 0, 1, 1, 1, 1])
    ceiling = frame([1] * 8)
    student = frame([1, 1, 1, 0, 1, 1, 1, 1])
    rows = {r["subset"]: r for r in subset_rows(weak, ceiling, student, kind, polarity.SUBSETS)}
    assert rows["same_sign"]["weak_acc_mean"] == 0.5 and rows["same_sign"]["test_share"] == 0.5
    assert rows["same_sign"]["pgr_of_means"] == pytest.approx(0.5)
    assert rows["opposite_sign"]["pgr_of_means_ci_status"] == "no gap"  # weak = ceiling there
    assert rows["all"]["weak_acc_mean"] == 0.75 and rows["all"]["pgr_of_means"] == pytest.approx(0.5)
    same_only = subset_rows(weak, ceiling, student, pd.Series("same_sign", index=ids), polarity.SUBSETS)
    assert [r["subset"] for r in same_only] == ["all"]  # a set of one kind: no empty or duplicate subset rows

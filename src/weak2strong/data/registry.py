"""The dataset registry: a dataset is a small declaration, not code paths of its own.

Each entry says where the records come from and how one record becomes binary examples
``(text, label, group)``. Multiple-choice sets become binary by showing the correct answer or a
uniformly random distractor, 50/50 (as in the paper's code). Hub datasets pool their labelled
splits and are re-split by us with their group key (docs/datasets.md: same passage / question never on
two sides). Adding a dataset is one entry here, or a ``source: local`` block in the config.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from ..errors import ConfigError

Example = tuple[str, int, "str | None"]  # text, label, group (None: the example is its own group)
Builder = Callable[[dict, random.Random], list[Example]]


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    source: str  # "bigbench" | "hub" | "local"
    build: Builder
    description: str = ""
    bigbench_task: str | None = None  # e.g. "multiemo/all_sentence_en"
    hub_path: str | None = None
    hub_name: str | None = None
    hub_splits: tuple[str, ...] = ()
    # The side a text longer than a model's window is cut from: "left" for templates with a passage
    # first and the question or answer last, so only the passage is shortened (models/tokens.py).
    truncation: str = "right"
    extra: dict = field(default_factory=dict)


def _mc_binary(question: str, correct: str, distractors: list[str], rng: random.Random, group: str | None) -> list[Example]:
    """One binary example per question: the correct answer (label 1) or a random distractor (label 0)."""
    distractors = [d for d in distractors if d and d != correct]
    if rng.random() < 0.5 or not distractors:
        return [(f"{question}\nAnswer: {correct}", 1, group)]
    return [(f"{question}\nAnswer: {rng.choice(distractors)}", 0, group)]


def _bigbench_choice(positive: str, negative: str, group_fn: Callable[[dict], str | None] | None = None) -> Builder:
    """Binary label from a BIG-bench target: ``positive`` → 1, ``negative`` → 0, anything else dropped."""

    def build(rec: dict, rng: random.Random) -> list[Example]:
        target = rec.get("target")
        if target not in (positive, negative):
            return []
        group = group_fn(rec) if group_fn else None
        return [(rec["input"], int(target == positive), group)]

    return build


def _vitaminc_page(rec: dict) -> str:
    # "Page title: evidence sentence\nClaim: ..." — contrastive claims share the page and evidence.
    return rec["input"].split(":", 1)[0]


def _build_sciq(rec: dict, rng: random.Random) -> list[Example]:
    return _mc_binary(
        f"Q: {rec['question']}",
        rec["correct_answer"],
        [rec["distractor1"], rec["distractor2"], rec["distractor3"]],
        rng,
        group=rec["question"],
    )


def _build_boolq(rec: dict, rng: random.Random) -> list[Example]:
    return [(f"{rec['passage']}\nQuestion: {rec['question']}?", int(bool(rec["answer"])), rec["passage"])]


COSMOS_NONE = "None of the above choices ."


def _build_cosmos_qa(rec: dict, rng: random.Random) -> list[Example]:
    answers = [rec[f"answer{i}"] for i in range(4)]
    correct = answers[int(rec["label"])]
    # The public loaders make "None of the above choices ." always label 0 (a learnable shortcut,
    # docs/datasets.md). We drop those questions and never show that string as a distractor.
    if correct.strip() == COSMOS_NONE.strip():
        return []
    distractors = [a for i, a in enumerate(answers) if i != int(rec["label"]) and a.strip() != COSMOS_NONE.strip()]
    return _mc_binary(f"{rec['context']}\nQuestion: {rec['question']}", correct, distractors, rng, group=rec["context"])


def _build_amazon_polarity(rec: dict, rng: random.Random) -> list[Example]:
    return [(f"{rec['title']} {rec['content']}", int(rec["label"]), None)]


def _build_sst2(rec: dict, rng: random.Random) -> list[Example]:
    return [(rec["sentence"], int(rec["label"]), None)]


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        # ---- offline: BIG-bench task files, read from the `bigbench` PyPI archive ----
        DatasetSpec(
            "multiemo_sentiment",
            "bigbench",
            _bigbench_choice("positive", "negative"),
            description="MultiEmo English sentences (hotel, medicine, product, school reviews): positive vs negative",
            bigbench_task="multiemo/all_sentence_en",
        ),
        DatasetSpec(
            "fever",
            "bigbench",
            _bigbench_choice("true", "false"),
            description="FEVER claims (BIG-bench fact_checker): is the claim true?",
            bigbench_task="fact_checker/fever",
        ),
        DatasetSpec(
            "vitaminc",
            "bigbench",
            _bigbench_choice("True", "False", group_fn=_vitaminc_page),
            description="VitaminC fact verification: does the Wikipedia quote support the claim? ('Neither' dropped; grouped by page)",
            bigbench_task="vitaminc_fact_verification",
        ),
        DatasetSpec(
            "hyperbaton",
            "bigbench",
            _bigbench_choice("a", "b"),
            description="Adjective order: is sentence (a) the correctly ordered one?",
            bigbench_task="hyperbaton",
        ),
        DatasetSpec(
            "formal_fallacies",
            "bigbench",
            _bigbench_choice("valid", "invalid"),
            description="Syllogisms with negation: is the argument deductively valid?",
            bigbench_task="formal_fallacies_syllogisms_negation",
        ),
        DatasetSpec(
            "strategyqa",
            "bigbench",
            _bigbench_choice("Yes", "No"),
            description="StrategyQA yes/no questions needing implicit reasoning",
            bigbench_task="strategyqa",
        ),
        # ---- the paper's datasets, from the Hugging Face hub on connected machines ----
        DatasetSpec(
            "sciq",
            "hub",
            _build_sciq,
            description="SciQ: science question with the correct answer or a distractor",
            hub_path="allenai/sciq",
            hub_splits=("train", "validation", "test"),
        ),
        DatasetSpec(
            "boolq",
            "hub",
            _build_boolq,
            description="BoolQ: passage and yes/no question",
            hub_path="google/boolq",
            hub_splits=("train", "validation"),
            truncation="left",  # passage first, question last
        ),
        DatasetSpec(
            "cosmos_qa",
            "hub",
            _build_cosmos_qa,
            description="CosmosQA: context, question and a shown answer (test split is unlabelled, so not used)",
            hub_path="allenai/cosmos_qa",
            hub_splits=("train", "validation"),
            truncation="left",  # context first, question and answer last
        ),
        DatasetSpec(
            "amazon_polarity",
            "hub",
            _build_amazon_polarity,
            description="Amazon review polarity: title and content",
            hub_path="fancyzhx/amazon_polarity",
            hub_splits=("train", "test"),
        ),
        DatasetSpec(
            "sst2",
            "hub",
            _build_sst2,
            description="SST-2 sentences (test split is unlabelled, so train + validation are pooled)",
            hub_path="stanfordnlp/sst2",
            hub_splits=("train", "validation"),
        ),
    ]
}


def _build_local(rec: dict, rng: random.Random) -> list[Example]:
    """Records of a local file arrive checked and normalised (data/local.py)."""
    return [(rec["text"], rec["label"], rec["group"])]


def resolve_dataset(name: str, options: dict) -> DatasetSpec:
    """The spec for a dataset named in the config: a registry entry, or a ``source: local`` block."""
    if options.get("source") == "local":
        for key in ("path", "text_field", "label_field"):
            if key not in options:
                raise ConfigError(f"config/config.yaml: datasets.{name}: a local dataset needs '{key}'.")
        fields = {k: options.get(k) for k in ("path", "text_field", "label_field", "group_field", "positive_label")}
        return DatasetSpec(name, "local", _build_local, description=f"local file {options['path']}", extra=fields)
    registry_name = options.get("registry_name", name)
    if registry_name not in DATASETS:
        raise ConfigError(
            f"config/config.yaml: datasets.{name}: '{registry_name}' is not in the dataset registry "
            f"(known: {', '.join(sorted(DATASETS))}); add an entry to src/weak2strong/data/registry.py "
            "or declare it with 'source: local'."
        )
    return DATASETS[registry_name]

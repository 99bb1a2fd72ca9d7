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
from ..registry import Registry
from .pairs import pair_example

# text, label, group (None: the example is its own group); pair datasets add (prompt, c1, c2)
Example = tuple
Builder = Callable[[dict, random.Random], list[Example]]


class Filtered(ValueError):
    """A record the dataset's definition leaves out (a neutral rating): counted by reason, not an error."""


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    source: str  # "vader" | "bigbench" | "hub" | "local"
    build: Builder
    description: str = ""
    bigbench_task: str | None = None  # e.g. "multiemo/all_sentence_en"
    vader_file: str | None = None  # e.g. "movieReviewSnippets_GroundTruth.txt"
    hub_path: str | None = None
    hub_name: str | None = None
    hub_splits: tuple[str, ...] = ()
    # Datasets still served by a loading script (which `datasets` no longer runs) load from the
    # hub's Parquet export instead; a config's `revision` overrides this.
    hub_revision: str | None = None
    # The folder of one config where a revision has no README to name configs by (the Parquet export
    # keeps only ``<config>/<split>/*.parquet``): ``data_dir`` selects it. A config's `data_dir` overrides it.
    hub_data_dir: str | None = None
    # The side a text longer than a model's window is cut from: "left" for templates with a passage
    # first and the question or answer last, so only the passage is shortened (models/tokens.py).
    truncation: str = "right"
    extra: dict = field(default_factory=dict)
    # Pair datasets (reward modelling, data/pairs.py): each example is a prompt and two completions.
    pairs: bool = False
    # Records -> the records ``build`` reads, when an example needs more than one record (seeded RNG).
    combine: Callable[[list[dict], random.Random], list[dict]] | None = None

    def prompt_instruction(self) -> str:
        """The prompting baselines' instruction: the paper's (its appendix) where it gives one, ours for
        the offline sets, else one made from the description."""
        return INSTRUCTIONS.get(self.name) or f"Task: {self.description}. Respond with 1 if the answer is yes, and with 0 otherwise."


# Prompting instructions: the paper's appendix (hub sets), ours in its style (offline sets).
INSTRUCTIONS = {
    "cosmos_qa": "There is some context, followed by a question about the context, and an answer. Respond with 1 if the answer "
                 "is correct, and 0 otherwise.",
    "ethics_deontology": "There is a short scenario, consisting of a situation or request, followed by an excuse. Respond with 1 if "
                         "the excuse is valid, and with 0 otherwise.",
    "ethics_justice": "There is a statement. Respond with 1 if it is correct or just and with 0 otherwise.",
    "quail": "There is a news context, followed by a question about the context, and an answer to the question. Respond with 1 if "
             "the answer is correct, and with 0 otherwise.",
    "sciq": "There is a science knowledge question, followed by an answer. Respond with 1 if the answer is correct, and with 0 "
            "otherwise.",
    "social_i_qa": "There is some context, followed by a social question, followed by an answer. Respond with 1 if the answer is "
                   "correct, and 0 otherwise.",
    "ethics_virtue": "There is a short scenario, followed by a judgement of the person involved. Respond with 1 if the judgement is "
                     "correct, otherwise respond with 0.",
    "multiemo_sentiment": "There is a sentence from a review. Respond with 1 if it is positive, and with 0 if it is negative.",
    "fever": "There is a claim. Respond with 1 if it is true, and with 0 otherwise.",
    "movie_sentiment": "There is a sentence from a movie review. Respond with 1 if it is positive, and with 0 if it is negative.",
    "nyt_editorial_sentiment": "There is a sentence from a newspaper opinion piece. Respond with 1 if its tone is positive, and "
                               "with 0 if it is negative.",
    "tweet_sentiment": "There is a tweet. Respond with 1 if it is positive, and with 0 if it is negative.",
    "amazon_sentiment": "There is a sentence from a product review. Respond with 1 if it is positive, and with 0 if it is negative.",
}


def _mc_binary(question: str, correct: str, distractors: list[str], rng: random.Random, group: str | None) -> list[Example]:
    """One binary example per question: the correct answer (label 1) or a random distractor (label 0).
    A missing or null correct answer (Parquet stores a missing field as null) makes the row bad: it
    would otherwise be shown as the text "None"."""
    if not isinstance(correct, str) or not correct.strip():
        raise ValueError("no correct answer")
    distractors = [d for d in distractors if isinstance(d, str) and d.strip() and d != correct]
    if rng.random() < 0.5 or not distractors:
        return [(f"{question}\nAnswer: {correct}", 1, group)]
    return [(f"{question}\nAnswer: {rng.choice(distractors)}", 0, group)]


def _bigbench_choice(positive: str, negative: str, group_fn: Callable[[dict], str | None] | None = None) -> Builder:
    """Binary label from a BIG-bench target: ``positive`` → 1, ``negative`` → 0, anything else dropped."""

    def build(rec: dict, rng: random.Random) -> list[Example]:
        target = rec.get("target")
        if target not in (positive, negative):
            raise Filtered(f"a target other than {positive!r} and {negative!r}")
        group = group_fn(rec) if group_fn else None
        return [(rec["input"], int(target == positive), group)]

    return build


def _vader_sentiment(grouped: bool) -> Builder:
    """Positive (mean rating > 0) vs negative (< 0); sentences rated exactly neutral on average are
    dropped. ``grouped``: the sentences of one document (id ``<document>_<n>``) stay on one side."""

    def build(rec: dict, rng: random.Random) -> list[Example]:
        rating, text = rec["rating"], rec["text"]
        if rating == 0:
            raise Filtered("mean rating exactly 0 (neither positive nor negative)")
        return [(text, int(rating > 0), rec["id"].split("_", 1)[0] if grouped else None)]

    return build


def with_min_abs_rating(build: Builder, threshold: float) -> Builder:
    """A rated-sentence builder that leaves out sentences whose mean rating lies within ``threshold``
    of neutral: their label is the sign of a small mean of 20 ratings, which the raters themselves
    barely agree on (counted by reason, like the exactly neutral ones)."""

    def build_rated(rec: dict, rng: random.Random) -> list[Example]:
        if abs(rec["rating"]) < threshold:
            raise Filtered(f"mean |rating| below min_abs_rating {threshold:g}")
        return build(rec, rng)

    return build_rated


def _vitaminc_page(rec: dict) -> str:
    # "Page title: evidence sentence\nClaim: ..." — contrastive claims share the page and evidence.
    return rec["input"].split(":", 1)[0]


def _winowhy_sentence(rec: dict) -> str:
    # "<Winograd sentence> The 'they' refers to X because <reason>.": every reason for one sentence together
    return rec["input"].split(" The '", 1)[0]


def _build_sciq(rec: dict, rng: random.Random) -> list[Example]:
    return _mc_binary(
        f"Q: {rec['question']}",
        rec["correct_answer"],
        [rec["distractor1"], rec["distractor2"], rec["distractor3"]],
        rng,
        group=rec["question"],
    )


def _build_boolq(rec: dict, rng: random.Random) -> list[Example]:
    text, answer = f"{rec['passage']}\nQuestion: {rec['question']}?", rec["answer"]
    if not isinstance(answer, bool):  # a null answer (Parquet fills a missing one with null) is no answer, not False
        raise ValueError(f"answer {answer!r} is not true or false")
    return [(text, int(answer), rec["passage"])]


COSMOS_NONE = "None of the above choices ."


def _build_cosmos_qa(rec: dict, rng: random.Random) -> list[Example]:
    answers = [rec[f"answer{i}"] for i in range(4)]
    correct = answers[int(rec["label"])]
    # The public loaders make "None of the above choices ." always label 0 (a learnable shortcut,
    # docs/datasets.md). We drop those questions and never show that string as a distractor.
    if correct.strip() == COSMOS_NONE.strip():
        raise Filtered(f"the correct answer is {COSMOS_NONE!r} (always label 0 in public loaders)")
    distractors = [a for i, a in enumerate(answers) if i != int(rec["label"]) and a.strip() != COSMOS_NONE.strip()]
    return _mc_binary(f"{rec['context']}\nQuestion: {rec['question']}", correct, distractors, rng, group=rec["context"])


def _build_amazon_polarity(rec: dict, rng: random.Random) -> list[Example]:
    return [(f"{rec['title']} {rec['content']}", int(rec["label"]), None)]


def _build_sst2(rec: dict, rng: random.Random) -> list[Example]:
    return [(rec["sentence"], int(rec["label"]), None)]


def _field(rec: dict, name: str) -> str:
    """A text field that must say something: a missing, null or blank one makes the row bad."""
    value = rec[name]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"empty {name}")
    return value


def _answer_question(context: str, question: str) -> str:
    """Passage first, question last: a long passage is cut from the left, the question survives."""
    return f"{context}\nQuestion: {question}"


def _choice_text(rec: dict, key: str) -> tuple[str, list[str]]:
    """openbookqa / quartz: the text of the choice whose letter is ``answerKey``, and the others'."""
    labels, texts = list(rec["choices"]["label"]), list(rec["choices"]["text"])
    k = labels.index(rec[key])
    return texts[k], [t for i, t in enumerate(texts) if i != k]


def _build_dream(rec: dict, rng: random.Random) -> list[Example]:
    dialogue = "\n".join(rec["dialogue"])
    return _mc_binary(_answer_question(dialogue, rec["question"]), rec["answer"], list(rec["choice"]), rng, group=rec["dialogue_id"])


def _build_ethics_deontology(rec: dict, rng: random.Random) -> list[Example]:
    # no answer in the text (the fork's "A: yes/no" leaked the label)
    text = f"Scenario: {_field(rec, 'scenario')}\nExcuse: {_field(rec, 'excuse')}\nQuestion: Is this a reasonable excuse?"
    return [(text, _binary(rec["label"]), rec["scenario"])]


def _build_ethics_justice(rec: dict, rng: random.Random) -> list[Example]:
    text = f"Scenario: {_field(rec, 'scenario')}\nQuestion: Is this reasonable and just?"
    return [(text, _binary(rec["label"]), str(rec.get("group_id", rec["scenario"])))]


def _build_ethics_virtue(rec: dict, rng: random.Random) -> list[Example]:
    sentence, _, trait = _field(rec, "scenario").partition(" [SEP] ")
    if not trait:
        raise ValueError("scenario has no ' [SEP] ' before its trait")
    text = f"Scenario: {sentence}\nQuestion: Does the behaviour show the trait '{trait}'?"
    return [(text, _binary(rec["label"]), sentence)]


def _build_ethics_utilitarianism(rec: dict, rng: random.Random) -> list[Example]:
    """The two scenarios in random order; the stated answer is the more pleasant one (1) or not (0)."""
    options = [_field(rec, "baseline"), _field(rec, "less_pleasant")]
    swap = rng.random() < 0.5
    first, second = options[::-1] if swap else options
    better = 2 if swap else 1
    stated = better if rng.random() < 0.5 else 3 - better
    text = f"Which is more pleasant?\n1) {first}\n2) {second}\nAnswer: {stated}"
    return [(text, int(stated == better), rec["baseline"])]


def _build_anli(rec: dict, rng: random.Random) -> list[Example]:
    text = f"{_field(rec, 'premise')}\nHypothesis: {_field(rec, 'hypothesis')}\nQuestion: Does the passage entail the hypothesis?"
    return [(text, int(int(rec["label"]) == 0), rec["premise"])]  # entailment vs neutral or contradiction


def _build_natural_sentence(rec: dict, rng: random.Random) -> list[Example]:
    """cola: the sentence and its label (the unlabelled test split is not loaded)."""
    return [(rec["sentence"], _binary(rec["label"]), None)]


def _binary(label) -> int:
    """A 0/1 label; anything else (the −1 of unlabelled GLUE rows, None) is a bad row."""
    value = int(label)
    if value not in (0, 1):
        raise ValueError(f"label {label!r} is not 0 or 1")
    return value


def _build_hellaswag(rec: dict, rng: random.Random) -> list[Example]:
    endings = list(rec["endings"])
    k = int(rec["label"])  # a string "0".."3" on the hub
    listed = "\n".join(f"- {e}" for e in endings)
    stem = f"{rec['ctx']}\nPossible endings:\n{listed}"
    shown = endings[k] if rng.random() < 0.5 else rng.choice([e for i, e in enumerate(endings) if i != k])
    return [(f"{stem}\nQuestion: Is \"{shown}\" the best ending?", int(shown == endings[k]), str(rec.get("source_id") or rec["ctx"]))]


def _build_mc_taco(rec: dict, rng: random.Random) -> list[Example]:
    text = f"{_field(rec, 'sentence')}\nQuestion: Given the above, {_field(rec, 'question')} Is the answer \"{_field(rec, 'answer')}\"?"
    return [(text, _binary(rec["label"]), f"{rec['sentence']}|{rec['question']}")]  # many candidate answers per question


def _build_openbookqa(rec: dict, rng: random.Random) -> list[Example]:
    correct, others = _choice_text(rec, "answerKey")  # the answer's text, never its letter (the public loaders' bug)
    return _mc_binary(f"Q: {rec['question_stem']}", correct, others, rng, group=rec["id"])


def _build_paws(rec: dict, rng: random.Random) -> list[Example]:
    text = f"Sentence 1: {_field(rec, 'sentence1')}\nSentence 2: {_field(rec, 'sentence2')}\nQuestion: Do the two sentences mean the same?"
    return [(text, _binary(rec["label"]), rec["sentence1"])]  # pairs built from one source sentence stay together


def _build_quail(rec: dict, rng: random.Random) -> list[Example]:
    answers = list(rec["answers"])
    k = int(rec["correct_answer_id"])
    others = [a for i, a in enumerate(answers) if i != k]
    return _mc_binary(_answer_question(rec["context"], rec["question"]), answers[k], others, rng, group=rec["context_id"])


def _build_piqa(rec: dict, rng: random.Random) -> list[Example]:
    solutions = [rec["sol1"], rec["sol2"]]
    k = _binary(rec["label"])  # −1 on the unlabelled test split
    return _mc_binary(f"Goal: {rec['goal']}", solutions[k], [solutions[1 - k]], rng, group=rec["goal"])


def _build_quartz(rec: dict, rng: random.Random) -> list[Example]:
    correct, others = _choice_text(rec, "answerKey")
    return _mc_binary(_answer_question(rec["para"], rec["question"]), correct, others, rng, group=rec["para_id"])


def _build_social_i_qa(rec: dict, rng: random.Random) -> list[Example]:
    answers = [rec["answerA"], rec["answerB"], rec["answerC"]]
    k = int(rec["label"]) - 1  # a string "1".."3" on the hub
    if k not in (0, 1, 2):
        raise ValueError(f"label {rec['label']!r} is not 1, 2 or 3")
    return _mc_binary(_answer_question(rec["context"], rec["question"]), answers[k], answers[:k] + answers[k + 1:], rng,
                      group=rec["context"])


def _build_multirc(rec: dict, rng: random.Random) -> list[Example]:
    text = f"{_field(rec, 'paragraph')}\nQuestion: {_field(rec, 'question')}\nIs the answer \"{_field(rec, 'answer')}\"?"
    return [(text, _binary(rec["label"]), f"paragraph {rec['idx']['paragraph']}")]  # many questions and answers per paragraph


def _build_wic(rec: dict, rng: random.Random) -> list[Example]:
    text = (f"Sentence 1: {_field(rec, 'sentence1')}\nSentence 2: {_field(rec, 'sentence2')}\n"
            f"Question: Does the word \"{rec['word']}\" mean the same in both sentences?")
    return [(text, _binary(rec["label"]), rec["word"])]


def _build_text_label(rec: dict, rng: random.Random) -> list[Example]:
    """twitter_sentiment: the text and its 0/1 label."""
    return [(rec["text"], _binary(rec["label"]), None)]


HH_ASSISTANT = "\n\nAssistant:"


def hh_split(transcript: str) -> tuple[str, str]:
    """An HH-RLHF transcript as (prompt: everything up to and with the last Assistant turn's tag,
    completion: that turn's text)."""
    cut = transcript.rfind(HH_ASSISTANT)
    if cut < 0:
        raise ValueError("transcript has no Assistant turn")
    return transcript[:cut + len(HH_ASSISTANT)], transcript[cut + len(HH_ASSISTANT):].strip()


def _build_anthropic_hh(rec: dict, rng: random.Random) -> list[Example]:
    """A pair: the shared prompt and the two final assistant turns (scoring one transcript alone is at
    chance); grouped by prompt."""
    prompt, chosen = hh_split(rec["chosen"])
    other_prompt, rejected = hh_split(rec["rejected"])
    if prompt != other_prompt:
        raise ValueError("chosen and rejected transcripts have different prompts")
    return [pair_example(prompt, chosen, rejected, rng, prompt)]


def _build_shp(rec: dict, rng: random.Random) -> list[Example]:
    """Stanford Human Preferences: a Reddit post and two comments; ``labels`` is 1 when A is preferred.
    Grouped by post (a post has many comment pairs)."""
    chosen, rejected = (rec["human_ref_A"], rec["human_ref_B"]) if _binary(rec["labels"]) else (rec["human_ref_B"], rec["human_ref_A"])
    return [pair_example(rec["history"], chosen, rejected, rng, str(rec["post_id"]))]


def _build_pair(rec: dict, rng: random.Random) -> list[Example]:
    """A record that already is a pair (``prompt``, ``chosen``, ``rejected``, optional ``group``)."""
    return [pair_example(rec["prompt"], rec["chosen"], rec["rejected"], rng, rec.get("group"))]


def _multiemo_comparisons(records: list[dict], rng: random.Random) -> list[dict]:
    """Comparison pairs from MultiEmo's labelled sentences: a positive and a negative sentence, drawn
    without replacement (each sentence in one pair only, so no sentence is on two sides of a split);
    the positive one is the preferred answer to "which is more positive?". Real texts, and a preference
    that follows from the data's own labels."""
    positive = sorted({r["input"].strip() for r in records if r.get("target") == "positive"})
    negative = sorted({r["input"].strip() for r in records if r.get("target") == "negative"})
    rng.shuffle(positive)
    rng.shuffle(negative)
    prompt = "Which of these two review sentences is more positive?"
    return [{"prompt": prompt, "chosen": p, "rejected": n} for p, n in zip(positive, negative)]


def _rated_comparisons(records: list[dict], rng: random.Random, min_gap: float = 1.0, same_sign: bool = False) -> list[dict]:
    """Comparison pairs from sentences that people rated for sentiment: the sentences are shuffled and
    paired in turn (each sentence in one pair only, so no sentence is on two sides of a split), and a
    pair is kept when the two mean ratings differ by at least ``min_gap`` (on the -4..4 scale); the
    more positive sentence is the preferred answer.

    Paired at random, about three pairs in four put a positive sentence beside a negative one, and
    those are decided by the sign alone (the binary task again). ``same_sign``: sentences are paired
    within one polarity (positive with positive, negative with negative; a neutral mean pairs with
    neither), so every pair asks for a graded judgement."""
    from .sources import ratings_by_text

    rated = sorted((text, rating) for text, rating in ratings_by_text(records).items() if text)  # a text in one pair only
    rng.shuffle(rated)
    pools = [[r for r in rated if r[1] > 0], [r for r in rated if r[1] < 0]] if same_sign else [rated]
    prompt = "Which of these two review sentences is more positive?"
    pairs = []
    for pool in pools:
        for (a, ra), (b, rb) in zip(pool[0::2], pool[1::2]):
            if abs(ra - rb) >= min_gap:
                chosen, rejected = (a, b) if ra > rb else (b, a)
                pairs.append({"prompt": prompt, "chosen": chosen, "rejected": rejected})
    if same_sign:
        rng.shuffle(pairs)  # the two polarities mixed, so max_examples takes from both
    return pairs


def _same_sign_comparisons(records: list[dict], rng: random.Random) -> list[dict]:
    return _rated_comparisons(records, rng, same_sign=True)


# hendrycks/ethics: main holds a loading script and a card without a `configs:` block; the Parquet export
# has one folder per config and no README, so a config is chosen by its folder (data_dir), not by name.
ETHICS_EXPORT = "refs/convert/parquet"

DATASETS: Registry[DatasetSpec] = Registry(
    "dataset",
    [
        # ---- offline: the human-rated sentences of the VADER study (Hutto & Gilbert 2014), from the
        # vaderSentiment source archive on PyPI. Each sentence's label is the sign of 20 people's mean rating.
        DatasetSpec(
            "movie_sentiment",
            "vader",
            _vader_sentiment(grouped=False),
            description="Rotten Tomatoes review snippets (Pang & Lee's sentence polarity source, as in SST-2), rated by 20 "
                        "people each: positive vs negative",
            vader_file="movieReviewSnippets_GroundTruth.txt",
        ),
        DatasetSpec(
            "nyt_editorial_sentiment",
            "vader",
            _vader_sentiment(grouped=True),
            description="Sentences of New York Times opinion pieces, rated by 20 people each: positive vs negative tone "
                        "(grouped by editorial)",
            vader_file="nytEditorialSnippets_GroundTruth.txt",
        ),
        DatasetSpec(
            "movie_pairs",
            "vader",
            _build_pair,
            description="Pairs of the rated movie-review snippets whose mean ratings differ by at least 1 point (of -4..4): "
                        "which is more positive? (reward modelling)",
            vader_file="movieReviewSnippets_GroundTruth.txt",
            pairs=True,
            combine=_rated_comparisons,
            truncation="left",
        ),
        DatasetSpec(
            "movie_pairs_same_sign",
            "vader",
            _build_pair,
            description="Pairs of the rated movie-review snippets of one polarity (both positive or both negative) whose "
                        "mean ratings differ by at least 1 point: which is more positive? (reward modelling, a graded "
                        "judgement that the sign cannot decide)",
            vader_file="movieReviewSnippets_GroundTruth.txt",
            pairs=True,
            combine=_same_sign_comparisons,
            truncation="left",
        ),
        DatasetSpec(
            "tweet_sentiment",
            "vader",
            _vader_sentiment(grouped=False),
            description="Tweets rated by 20 people each: positive vs negative",
            vader_file="tweets_GroundTruth.txt",
        ),
        DatasetSpec(
            "amazon_sentiment",
            "vader",
            _vader_sentiment(grouped=True),
            description="Sentences of Amazon product reviews, rated by 20 people each: positive vs negative (grouped by review)",
            vader_file="amazonReviewSnippets_GroundTruth.txt",
        ),
        # ---- offline where the `bigbench` archive is at hand (the package index no longer serves it) ----
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
        DatasetSpec(
            "multiemo_pairs",
            "bigbench",
            _build_pair,
            description="Comparison pairs from MultiEmo sentences: which of a positive and a negative sentence is more positive? "
                        "(reward modelling)",
            bigbench_task="multiemo/all_sentence_en",
            pairs=True,
            combine=_multiemo_comparisons,
            truncation="left",
        ),
        DatasetSpec(
            "movie_dialog",
            "bigbench",
            _bigbench_choice("same", "different"),
            description="Movie dialogue: are two lines spoken by the same person?",
            bigbench_task="movie_dialog_same_or_different",
        ),
        DatasetSpec(
            "winowhy",
            "bigbench",
            _bigbench_choice("correct", "incorrect", group_fn=_winowhy_sentence),
            description="WinoWhy: is the reason given for a Winograd pronoun resolution right? (grouped by sentence)",
            bigbench_task="winowhy",
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
            hub_revision="refs/convert/parquet",  # main is only a loading script; the export has one config
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
        DatasetSpec("dream", "hub", _build_dream, description="DREAM: dialogue, question and a shown answer (3 choices)",
                    hub_path="dataset-org/dream", hub_splits=("train", "validation", "test"), truncation="left",
                    hub_revision="refs/convert/parquet"),
        DatasetSpec("ethics_deontology", "hub", _build_ethics_deontology, description="ETHICS deontology: is the excuse reasonable?",
                    hub_path="hendrycks/ethics", hub_data_dir="deontology", hub_splits=("train", "validation", "test"),
                    hub_revision=ETHICS_EXPORT),
        DatasetSpec("ethics_justice", "hub", _build_ethics_justice, description="ETHICS justice: is the scenario just?",
                    hub_path="hendrycks/ethics", hub_data_dir="justice", hub_splits=("train", "validation", "test"),
                    hub_revision=ETHICS_EXPORT),
        DatasetSpec("ethics_virtue", "hub", _build_ethics_virtue, description="ETHICS virtue: does the behaviour show the trait?",
                    hub_path="hendrycks/ethics", hub_data_dir="virtue", hub_splits=("train", "validation", "test"),
                    hub_revision=ETHICS_EXPORT),
        DatasetSpec("ethics_utilitarianism", "hub", _build_ethics_utilitarianism,
                    description="ETHICS utilitarianism: which of two scenarios is more pleasant (stated answer right or wrong)",
                    hub_path="hendrycks/ethics", hub_data_dir="utilitarianism", hub_splits=("train", "validation", "test"),
                    hub_revision=ETHICS_EXPORT),
        DatasetSpec("anli_r2", "hub", _build_anli, description="ANLI round 2: entailment vs neutral or contradiction",
                    hub_path="facebook/anli", hub_splits=("train_r2", "dev_r2", "test_r2"), truncation="left"),
        DatasetSpec("cola", "hub", _build_natural_sentence, description="CoLA: is the sentence grammatical? (test is unlabelled)",
                    hub_path="nyu-mll/glue", hub_name="cola", hub_splits=("train", "validation")),
        DatasetSpec("hellaswag", "hub", _build_hellaswag,
                    description="HellaSwag: context, the four endings, and whether a shown one is the best (test is unlabelled)",
                    hub_path="Rowan/hellaswag", hub_splits=("train", "validation"), truncation="left", hub_revision="refs/convert/parquet"),
        DatasetSpec("mc_taco", "hub", _build_mc_taco, description="MC-TACO: is a candidate answer to a temporal question right?",
                    hub_path="CogComp/mc_taco", hub_splits=("validation", "test"), truncation="left", hub_revision="refs/convert/parquet"),
        DatasetSpec("openbookqa", "hub", _build_openbookqa,
                    description="OpenBookQA: question with the correct answer's text or a distractor's",
                    hub_path="allenai/openbookqa", hub_name="main", hub_splits=("train", "validation", "test")),
        DatasetSpec("paws", "hub", _build_paws, description="PAWS (labeled_final): are the two sentences paraphrases?",
                    hub_path="google-research-datasets/paws", hub_name="labeled_final", hub_splits=("train", "validation", "test")),
        DatasetSpec("quail", "hub", _build_quail, description="QuAIL: passage, question and a shown answer (4 choices)",
                    hub_path="textmachinelab/quail", hub_splits=("train", "validation", "challenge"), truncation="left"),
        DatasetSpec("piqa", "hub", _build_piqa, description="PIQA: goal and the right or the wrong solution (test is unlabelled)",
                    hub_path="ybisk/piqa", hub_splits=("train", "validation"), hub_revision="refs/convert/parquet"),
        DatasetSpec("quartz", "hub", _build_quartz, description="QuaRTz: paragraph, question and a shown answer (2 choices)",
                    hub_path="allenai/quartz", hub_splits=("train", "validation", "test"), truncation="left"),
        DatasetSpec("social_i_qa", "hub", _build_social_i_qa, description="Social IQa: context, question and a shown answer (3 choices)",
                    hub_path="allenai/social_i_qa", hub_splits=("train", "validation"), truncation="left", hub_revision="refs/pr/3"),
        DatasetSpec("multirc", "hub", _build_multirc, description="MultiRC: paragraph, question and whether a candidate answer is right",
                    hub_path="aps/super_glue", hub_name="multirc", hub_splits=("train", "validation"), truncation="left"),
        DatasetSpec("wic", "hub", _build_wic, description="WiC: does the word mean the same in both sentences?",
                    hub_path="aps/super_glue", hub_name="wic", hub_splits=("train", "validation")),  # main: Parquet, configs: README
        DatasetSpec("twitter_sentiment", "hub", _build_text_label, description="Twitter sentiment: positive vs negative tweets",
                    hub_path="EleutherAI/twitter-sentiment", hub_splits=("train", "test")),
        DatasetSpec("anthropic_hh", "hub", _build_anthropic_hh,
                    description="Anthropic HH-RLHF comparison pairs: a dialogue and two final assistant turns (reward modelling)",
                    hub_path="Anthropic/hh-rlhf", hub_splits=("train", "test"), truncation="left", pairs=True),
        DatasetSpec("shp", "hub", _build_shp,
                    description="Stanford Human Preferences: a Reddit post and two comments, the more upvoted preferred (reward modelling)",
                    hub_path="stanfordnlp/SHP", hub_splits=("train", "validation", "test"), truncation="left", pairs=True),
    ],
).freeze()


def _build_local(rec: dict, rng: random.Random) -> list[Example]:
    """Records of a local file arrive checked and normalised (data/local.py)."""
    return [(rec["text"], rec["label"], rec["group"])]


def resolve_dataset(name: str, options: dict) -> DatasetSpec:
    """The spec for a dataset named in the config: a registry entry, or a ``source: local`` block."""
    if options.get("source") == "local" and "chosen_field" in options:
        for key in ("path", "prompt_field", "rejected_field"):
            if key not in options:
                raise ConfigError(f"config/config.yaml: datasets.{name}: a local comparison dataset needs '{key}' "
                                  "(with chosen_field and rejected_field).")
        fields = {k: options.get(k) for k in ("path", "prompt_field", "chosen_field", "rejected_field", "group_field")}
        return DatasetSpec(name, "local", _build_pair, description=f"local comparison pairs {options['path']}", extra=fields,
                           pairs=True, truncation="left")
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
    spec = DATASETS[registry_name]
    if options.get("min_abs_rating"):
        if spec.source != "vader" or spec.pairs:
            raise ConfigError(f"config/config.yaml: datasets.{name}.min_abs_rating: only the rated-sentence (VADER) "
                              f"classification sets have a mean rating to filter on; '{registry_name}' is a {spec.source} "
                              f"{'pair ' if spec.pairs else ''}dataset. Remove the key.")
        from dataclasses import replace

        spec = replace(spec, build=with_min_abs_rating(spec.build, float(options["min_abs_rating"])))
    if spec.source == "hub" and ("revision" in options or "data_dir" in options):
        from dataclasses import replace

        from ..names import checked_relative_path

        for key in ("revision", "data_dir"):  # folders under the hub mirror: never a way out of it
            if key in options:
                checked_relative_path(options[key], f"config/config.yaml: datasets.{name}.{key}")

        spec = replace(spec, hub_revision=options.get("revision", spec.hub_revision),
                       hub_data_dir=options.get("data_dir", spec.hub_data_dir))
    return spec

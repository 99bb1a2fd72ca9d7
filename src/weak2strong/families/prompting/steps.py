"""Prompting baselines: a decoder answers the task from a prompt, without training (the paper's
comparison of prompting with fine-tuning).

Each dataset has an instruction in the paper's style ("... Respond with 1 if ..., and with 0
otherwise."); a query is ``Text: <example>\nAnswer:`` and the model's p(class 1) is its next-token
probability of the word "1" renormalised over "1" and "0". Modes:

- ``zero_shot``: the instruction and the query;
- ``few_shot_gt``: ``k`` demonstrations from the seed's train_b (half of each class, drawn per seed)
  with their ground-truth labels before the query (the paper's 5-shot by default);
- ``few_shot_weak``: ``k`` demonstrations with the weak model's labels, half of each class *by those
  labels*: nothing in this condition is chosen or shown by ground truth (balancing it on ground truth
  would tell the model the true class balance of the shown examples). Both draws use one random stream
  per seed, so with weak labels that were all right the two conditions would show the same examples.

The prompt shared by every query of a seed (instruction and demonstrations) is run through the model
once; each batch of queries continues from its key-value cache (a 5x saving at k = 4 on short texts).
"""

from __future__ import annotations

import copy
import logging

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .plan import MODES, PromptingPlan

log = logging.getLogger(__name__)

LABEL_WORDS = ("0", "1")  # class 0, class 1


def query(text: str) -> str:
    return f"Text: {text}\nAnswer:"


def demonstration(text: str, label: int) -> str:
    return f"{query(text)} {LABEL_WORDS[int(label)]}\n\n"


def shared_prefix(instruction: str, demos: pd.DataFrame | None = None, labels=None) -> str:
    """The part of every prompt before the query: the instruction and the demonstrations."""
    prefix = instruction.strip() + "\n\n"
    if demos is not None:
        for text, label in zip(demos["text"], labels):
            prefix += demonstration(text, label)
    return prefix


def draw_demonstrations(train_b: pd.DataFrame, k: int, seed: int, labels: str = "label") -> pd.DataFrame:
    """``k`` examples of train_b, half of each class of column ``labels`` (the odd one drawn at random),
    in a random order."""
    rng = np.random.default_rng([seed, k, 7])
    n1 = k // 2 + (int(rng.integers(2)) if k % 2 else 0)
    picks = []
    for label, n in ((0, k - n1), (1, n1)):
        pool = train_b[train_b[labels] == label]
        if len(pool) < n:
            raise ValueError(f"train_b has {len(pool)} examples of class {label}; {n} demonstrations need more")
        picks.append(pool.iloc[rng.choice(len(pool), size=n, replace=False)])
    demos = pd.concat(picks)
    return demos.iloc[rng.permutation(len(demos))]


def label_word_ids(tokenizer, probe_text: str = "Answer:") -> tuple[list[int], tuple[int, int]]:
    """The tokens a query ends with before the answer word, and each answer word's token.

    Tokenisers differ in where a space goes (" 1" as one token, or " " then "1"): both words are
    encoded after the query, tokens the two share are moved into the query, and the first token where
    they differ is the word."""
    base = tokenizer(probe_text, add_special_tokens=False)["input_ids"]
    rests = []
    for word in LABEL_WORDS:
        full = tokenizer(f"{probe_text} {word}", add_special_tokens=False)["input_ids"]
        if full[:len(base)] != base:
            raise ValueError(f"the tokenizer merges '{probe_text}' with ' {word}'; choose another answer format")
        rests.append(full[len(base):])
    shared = 0
    while shared < min(map(len, rests)) and rests[0][shared] == rests[1][shared]:
        shared += 1
    if shared >= min(map(len, rests)):
        raise ValueError(f"the answer words {LABEL_WORDS} have no distinct first token in this tokenizer")
    return rests[0][:shared], (rests[0][shared], rests[1][shared])


def prompt_p1(model, tokenizer, prefix: str, texts: list[str], batch_size: int = 16, max_length: int = 256,
              desc: str = "prompting") -> np.ndarray:
    """p(class 1) for each text: the next-token probabilities of the two answer words after
    ``prefix + query(text)``, renormalised. The prefix is run once and its cache reused by every batch;
    a query longer than ``max_length`` tokens loses tokens from the start of its text."""
    import torch  # imported here, not at the top: planning the workflow imports this module

    with torch.no_grad():
        model.eval()
        device = next(model.parameters()).device
        tail, (id0, id1) = label_word_ids(tokenizer)
        prefix_ids = tokenizer(prefix, add_special_tokens=True)["input_ids"]
        out = model(input_ids=torch.tensor([prefix_ids], device=device), use_cache=True)
        cache = out.past_key_values
        queries = [tokenizer(query(t), add_special_tokens=False)["input_ids"] + tail for t in texts]
        n_cut = sum(len(q) > max_length for q in queries)
        if n_cut:
            log.warning("%d of %d queries were longer than %d tokens and lost tokens from the start", n_cut, len(queries), max_length)
        queries = [q[-max_length:] for q in queries]
        order = np.argsort([len(q) for q in queries], kind="stable")
        p1 = np.empty(len(texts), dtype=np.float32)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        for start in tqdm(range(0, len(texts), batch_size), desc=desc, unit="batch", mininterval=30):
            idx = order[start:start + batch_size]
            width = max(len(queries[i]) for i in idx)
            ids = torch.full((len(idx), width), pad, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):  # right padding: every query starts right after the prefix
                ids[row, :len(queries[i])] = torch.tensor(queries[i])
                mask[row, :len(queries[i])] = 1
            past = copy.deepcopy(cache)
            past.batch_repeat_interleave(len(idx))
            attention = torch.cat([torch.ones((len(idx), len(prefix_ids)), dtype=torch.long), mask], 1).to(device)
            logits = model(input_ids=ids.to(device), attention_mask=attention, past_key_values=past, use_cache=True).logits
            last = logits[torch.arange(len(idx)), mask.sum(1) - 1].float()
            p1[idx] = torch.softmax(last[:, [id0, id1]], -1)[:, 1].cpu().numpy()
        return p1


def run_prompting(model, tokenizer, instruction: str, splits: dict[int, pd.DataFrame], weak_labels: pd.DataFrame,
                  plan: PromptingPlan, model_name: str, dataset: str) -> dict[str, pd.DataFrame]:
    """Predictions of every mode on each seed's test examples (the first ``test_size`` by id), as
    prediction tables (``schemas.PREDICTIONS_SCHEMA``: role ``prompted``, ``loss`` = the mode)."""
    tables = {mode: [] for mode in MODES}
    zero_shot_prefix = shared_prefix(instruction)
    zero_cache: dict[str, float] = {}  # zero-shot does not depend on the seed: each text scored once
    for seed, split in sorted(splits.items()):
        test = split[split["split"] == "test"].sort_values("id")
        if plan.test_size is not None:
            test = test.iloc[:plan.test_size]
        weak = weak_labels[(weak_labels["seed"] == seed) & (weak_labels["split"] == "train_b")].set_index("id")["hard_label"]
        train_b = split[split["split"] == "train_b"].assign(weak_label=lambda t: weak.reindex(t["id"]).to_numpy())
        demos = draw_demonstrations(train_b, plan.k, seed)
        weak_demos = draw_demonstrations(train_b, plan.k, seed, labels="weak_label")
        todo = [t for t in test["text"] if t not in zero_cache]
        if todo:
            zero_cache.update(zip(todo, prompt_p1(model, tokenizer, zero_shot_prefix, todo, plan.batch_size, plan.max_length,
                                                   desc=f"zero-shot seed {seed}")))
        texts = test["text"].tolist()
        p = {
            "zero_shot": np.array([zero_cache[t] for t in texts]),
            "few_shot_gt": prompt_p1(model, tokenizer, shared_prefix(instruction, demos, demos["label"]), texts, plan.batch_size,
                                     plan.max_length, desc=f"few-shot (ground truth) seed {seed}"),
            "few_shot_weak": prompt_p1(model, tokenizer, shared_prefix(instruction, weak_demos, weak_demos["weak_label"]), texts,
                                       plan.batch_size, plan.max_length, desc=f"few-shot (weak labels) seed {seed}"),
        }
        wrong = int((weak_demos["weak_label"] != weak_demos["label"]).sum())
        log.info("seed %d: %d demonstrations, %d of the weak-labelled ones with a wrong label", seed, len(demos), wrong)
        for mode in MODES:
            acc = float(((p[mode] > 0.5) == test["label"].to_numpy()).mean())
            share = float((p[mode] > 0.5).mean())
            log.info("seed %d %s: test accuracy %.3f on %d examples (answers 1 for %.0f%%)", seed, mode, acc, len(test), 100 * share)
            if not 0.05 < share < 0.95:  # a small model prompted often answers one word whatever the text
                log.warning("seed %d %s: the model answers %d for %.0f%% of the examples, so its accuracy is about the class "
                            "share; its AUROC (summary.csv student_auroc) says whether its p(1) still ranks them", seed, mode,
                            int(share >= 0.5), 100 * max(share, 1 - share))
            tables[mode].append(pd.DataFrame({
                "id": test["id"].to_numpy(), "split": "test", "gt_label": test["label"].astype("int8").to_numpy(),
                "soft_label": p[mode].astype(np.float32), "hard_label": (p[mode] > 0.5).astype("int8"), "model": model_name,
                "role": "prompted", "weak_model": plan.weak if mode == "few_shot_weak" else "", "loss": mode, "dataset": dataset,
                "seed": np.int32(seed),
            }))
    return {mode: pd.concat(t, ignore_index=True) for mode, t in tables.items()}

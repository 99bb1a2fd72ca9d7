"""Near-duplicate texts share a group, so a claim and its negation or light paraphrase never sit on
two sides of a split (FEVER-style data has no natural groups and many such pairs).

Two texts are near-duplicates when the Jaccard similarity of their content words (lower-cased,
without stop words, negations and the words of the dataset's template: words in more than
half of its texts) reaches a threshold. Candidate pairs come from prefix filtering
(index each text's rarest words only), which finds every pair above the threshold without
comparing all pairs.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict

log = logging.getLogger(__name__)

NEAR_DUPLICATE_THRESHOLD = 0.8  # the default; a dataset's `near_duplicates` option overrides it (null: off)

# Function words and negations: "X is Y" and "X is not Y" must come out the same.
STOP_WORDS = frozenset(
    "a an the is are was were be been being am do does did has have had not no never none nor neither "
    "to of in on at by for with as from and or but that this these those it its there their they he she "
    "his her him we you i can could will would shall should may might must only also".split()
)


def content_words(text: str) -> frozenset[str]:
    text = text.lower().replace("n't", " ").replace("cannot", "can")
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text) if w not in STOP_WORDS)


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def near_duplicate_pairs(texts: list[str], threshold: float) -> list[tuple[int, int]]:
    """Every pair (i < j) whose content-word Jaccard similarity is at least ``threshold``."""
    words = [content_words(t) for t in texts]
    frequency = Counter(w for ws in words for w in ws)
    template = {w for w, n in frequency.items() if n > len(texts) / 2} if len(texts) >= 20 else set()
    words = [ws - template for ws in words]
    index: dict[str, list[int]] = defaultdict(list)
    pairs = []
    for i, ws in enumerate(words):
        if not ws:
            continue
        ordered = sorted(ws, key=lambda w: (frequency[w], w))  # rarest first
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        candidates = {j for w in prefix for j in index[w]}
        for j in sorted(candidates):
            shared = len(ws & words[j])
            if shared / (len(ws) + len(words[j]) - shared) >= threshold:
                pairs.append((j, i))
        for w in prefix:
            index[w].append(i)
    return pairs


def merge_near_duplicates(groups: list[str], texts: list[str], threshold: float | None) -> list[str]:
    """Each example's group after merging the groups of near-duplicate texts (``threshold`` None:
    the groups unchanged). A merged group is named after its smallest member group, so the result
    does not depend on the order of the examples."""
    if threshold is None:
        return list(groups)
    names = sorted(set(groups))
    position = {g: k for k, g in enumerate(names)}
    uf = _UnionFind(len(names))
    pairs = near_duplicate_pairs(texts, threshold)
    for i, j in pairs:
        uf.union(position[groups[i]], position[groups[j]])
    merged = [names[uf.find(position[g])] for g in groups]
    n_changed = sum(a != b for a, b in zip(groups, merged))
    log.info("near-duplicates (content-word Jaccard >= %.2f): %d pairs; %d examples joined another group (%d groups -> %d)",
             threshold, len(pairs), n_changed, len(names), len(set(merged)))
    return merged

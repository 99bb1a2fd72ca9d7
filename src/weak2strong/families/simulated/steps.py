"""Simulated weak supervisors: label transformations instead of networks (Burns et al. 2023, §5.1 and
appendix E: which kinds of weak-label error do strong students imitate?).

Each supervisor writes the same label Parquet as a trained weak model (``schemas.LABELS_SCHEMA``,
``weak_model`` = its name), so the ordinary student, ceiling and metrics steps use it unchanged:

- ``feature_subset`` (systematic errors): a linear probe trained on ``train_a`` ground truth that sees
  only ``k`` coordinates (drawn per seed) of the student's own features. Its errors are a linear
  function of what the student sees, so the student can learn them.
- ``random_noise``: ground truth with a random set of labels flipped, every label reported with the
  confidence a calibrated labeller of that error rate would give (p = 1 − rate for the stated class).
- ``confident_wrong``: the same flips, but the flipped labels reported with confidence
  ``confidence`` (|2p − 1|), the right ones as ``random_noise``'s: the errors are the surest labels.
- ``length_flips`` (errors on a surface property): the labels of the longest texts are flipped (ties
  broken at random), confidence as ``random_noise``'s. Its errors are easy to describe, but the label
  is y XOR long(x), which no linear function of the features represents however well they encode
  length: for a linear-probe student these errors are label noise by construction, and the kind
  tests only that errors outside the student's hypothesis class are not imitated (ours, not the
  paper's construction).
- ``length_bias`` (describable errors a linear student can represent; ours): a labeller that leans
  towards calling long texts positive. Its score is a ground-truth probe on the student's features
  plus λ times the length those features predict (a ridge regression of the standardised log length,
  fitted on ``train_a``), both linear in the features, so the labeller is one linear classifier of
  them: its errors (long negative texts called positive, short positive ones negative) follow one
  property we can name and the student can represent. λ is set per split to the matched error rate.

Hard labels by default, as the paper's simulated supervisors give: every kind then reports 0 or 1, so
the student sees each supervisor's errors and nothing else, and ``random_noise`` and ``confident_wrong``
are one supervisor (they differ only in confidence). ``labels: soft_equal`` gives soft labels of equal
mean confidence: the feature-subset probe states its own probabilities, and every supervisor matched
to it states each of its labels with the probe's mean confidence |2p − 1| on that split and seed, so
matched supervisors have equal accuracy and equal *mean* confidence. They are not equal example by
example: the probe is less sure where it is wrong, so its per-example confidence still tells a student
which labels to doubt, which the constant-confidence flips never do. ``labels: soft`` reports the probabilities above;
then the kinds differ in confidence as well as in which examples they get wrong.

Matched accuracy: a ``random_noise``, ``confident_wrong`` or ``length_flips`` supervisor may copy the
error rate of a ``feature_subset`` one (``matched_to``), per seed and per split, and then flips exactly
that many labels, so the kinds are compared at identical weak accuracy. ``random_noise`` and
``confident_wrong`` with the same rate flip the same examples (one random stream per seed and
split): they differ only in the confidence of their errors. Fixed rates flip exactly
round(rate · n) labels of each split.

The plan (``SimulatedPlan``, torch-free) is ``plan.py``; torch is imported inside the steps that train.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ...errors import ConfigError
from .plan import LABELLED_SPLITS, Supervisor

log = logging.getLogger(__name__)


# ---- the label transformations ---------------------------------------------------------------------

def flip_stream(seed: int, split: str) -> np.random.Generator:
    """The random stream a seed's flips on ``split`` are drawn from: the same for every kind, so
    random_noise and confident_wrong at one rate flip the same examples."""
    return np.random.default_rng([seed, LABELLED_SPLITS.index(split), 20231214])


def exact_flips(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask with exactly round(rate · n) True entries, at random positions."""
    if not 0 <= rate <= 1:
        raise ValueError(f"a flip rate must be in [0, 1], got {rate}")
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: int(round(rate * n))]] = True
    return mask


def longest_flips(lengths: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask with exactly round(rate · n) True entries: the longest texts, ties in random order."""
    if not 0 <= rate <= 1:
        raise ValueError(f"a flip rate must be in [0, 1], got {rate}")
    order = np.lexsort((rng.random(len(lengths)), -np.asarray(lengths)))  # longest first; the last key sorts first
    mask = np.zeros(len(lengths), dtype=bool)
    mask[order[: int(round(rate * len(lengths)))]] = True
    return mask


def noisy_soft_labels(y: np.ndarray, flips: np.ndarray, rate: float, wrong_confidence: float | None = None) -> np.ndarray:
    """p(class 1) of the labels ``y`` with ``flips`` flipped: each stated class with probability
    1 − rate (a calibrated labeller of that error rate; at least 0.501, so the stated class stays the
    hard label when rate ≥ 0.5), or, for the flipped ones when ``wrong_confidence`` is given,
    (1 + wrong_confidence) / 2."""
    stated = np.where(flips, 1 - y, y).astype(np.float64)
    sure = np.full(len(y), max(1.0 - rate, 0.501))
    if wrong_confidence is not None:
        sure[flips] = (1.0 + wrong_confidence) / 2
    return np.where(stated == 1, sure, 1.0 - sure)


def feature_subset_labels(splits: pd.DataFrame, features: tuple, k: int, train_cfg, seed: int,
                          pairwise: bool = False) -> dict[str, np.ndarray]:
    """p(class 1) on train_b and test from a probe trained on train_a ground truth that sees ``k``
    coordinates of ``features`` ((tensor, ids)), drawn with ``seed``. ``pairwise``: the features are
    pair differences, read by the reward model's probe (no bias: swapping a pair flips p exactly)."""
    import torch

    from ...losses import Xent
    from ...training.probe import fit_probe, probe_predict, select_rows

    feats, ids = features
    if not 1 <= k <= feats.shape[1]:
        raise ConfigError(f"config/config.yaml: simulated.feature_subset.k = {k}: the student's features have {feats.shape[1]} "
                          "coordinates; choose k between 1 and that.")
    position = {i: n for n, i in enumerate(ids)}
    cols = torch.as_tensor(np.sort(np.random.default_rng([seed, k]).permutation(feats.shape[1])[:k]))

    def rows(split):
        return select_rows(feats, position, splits.loc[splits["split"] == split, "id"]).float()[:, cols]

    train = splits[splits["split"] == "train_a"]
    probe, _ = fit_probe(rows("train_a"), train["label"].to_numpy(dtype=np.float32), Xent(), train_cfg, seed, desc=f"feature subset k={k}",
                         pairwise=pairwise)
    return {split: probe_predict(probe, rows(split)) for split in LABELLED_SPLITS}


def length_bias_labels(splits: pd.DataFrame, features: tuple, rates: dict[str, float], train_cfg, seed: int,
                       pairwise: bool = False) -> dict[str, np.ndarray]:
    """p(class 1) on train_b and test of a labeller that leans towards calling long texts positive:
    sigmoid(s + λ · l), s the logit of a probe trained on train_a ground truth over all of the
    student's ``features``, l the standardised log length those features predict (ridge regression
    on train_a), both in units of their train_a spread; λ ≥ 0 is chosen per split so the hard labels'
    error rate is the one ``rates`` asks (as close as the examples allow; never below the probe's own)."""
    from ...losses import Xent
    from ...training.probe import fit_probe, probe_predict, select_rows

    feats, ids = features
    position = {i: n for n, i in enumerate(ids)}

    def rows(split):
        return select_rows(feats, position, splits.loc[splits["split"] == split, "id"]).float()

    train = splits[splits["split"] == "train_a"]
    probe, _ = fit_probe(rows("train_a"), train["label"].to_numpy(dtype=np.float32), Xent(), train_cfg, seed, desc="length bias probe",
                         pairwise=pairwise)
    x = rows("train_a").double()
    mean, std = x.mean(0), x.std(0).clamp(min=1e-6)
    z = ((x - mean) / std).numpy()
    log_length = np.log1p(train["text"].str.len().to_numpy(dtype=np.float64))
    target = (log_length - log_length.mean()) / max(log_length.std(), 1e-9)
    ridge = float(len(z))  # a strong penalty: the length direction, not a fit to train_a's noise
    weights = np.linalg.solve(z.T @ z + ridge * np.eye(z.shape[1]), z.T @ target)

    def logit(p):
        p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    s_scale = logit(probe_predict(probe, rows("train_a"))).std() or 1.0
    l_scale = (z @ weights).std() or 1.0
    out = {}
    for split in LABELLED_SPLITS:
        y = splits.loc[splits["split"] == split, "label"].to_numpy()
        score = logit(probe_predict(probe, rows(split))) / s_scale
        length = (((rows(split).double() - mean) / std).numpy() @ weights) / l_scale

        def errors(lam):
            return float(((score + lam * length > 0).astype(int) != y).mean())

        lo, hi = 0.0, 64.0
        for _ in range(50):  # the error rate grows with λ: bisect for the asked one
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if errors(mid) < rates[split] else (lo, mid)
        lam = min((lo, hi), key=lambda v: abs(errors(v) - rates[split]))
        log.info("length bias on %s: λ = %.3f, error rate %.3f (asked %.3f; the probe alone %.3f)", split, lam, errors(lam),
                 rates[split], errors(0.0))
        out[split] = 1.0 / (1.0 + np.exp(-(score + lam * length)))
    return out


def error_rates(labels: pd.DataFrame) -> dict[str, float]:
    """Per labelled split, the fraction of a label table's hard labels that are wrong."""
    return {split: float((g["hard_label"] != g["gt_label"]).mean()) for split, g in labels.groupby("split")}


def target_rates(sup: Supervisor, matched: pd.DataFrame | None) -> dict[str, float]:
    """The error rate a kind at a rate aims for on each labelled split: the matched supervisor's, or its fixed rate."""
    return error_rates(matched) if sup.matched_to else dict.fromkeys(LABELLED_SPLITS, sup.rate)


def simulate(sup: Supervisor, splits: pd.DataFrame, seed: int, dataset: str, features: tuple | None = None,
             matched: pd.DataFrame | None = None, train_cfg=None, pairwise: bool = False) -> pd.DataFrame:
    """One seed's labels of supervisor ``sup`` (the rows of ``schemas.LABELS_SCHEMA``). ``matched``:
    the seed's labels of the supervisor ``sup.matched_to`` names, whose error rates it copies."""
    if sup.kind == "feature_subset":
        preds = feature_subset_labels(splits, features, sup.k, train_cfg, seed, pairwise)
    elif sup.kind == "length_bias":
        preds = length_bias_labels(splits, features, target_rates(sup, matched), train_cfg, seed, pairwise)
    else:
        rates, preds = target_rates(sup, matched), {}
        for split in LABELLED_SPLITS:
            rows = splits[splits["split"] == split]
            y = rows["label"].to_numpy()
            if sup.kind == "length_flips":
                flips = longest_flips(rows["text"].str.len().to_numpy(), rates[split], flip_stream(seed, split))
            else:
                flips = exact_flips(len(y), rates[split], flip_stream(seed, split))
            preds[split] = noisy_soft_labels(y, flips, rates[split], sup.confidence if sup.kind == "confident_wrong" else None)
    if sup.labels == "soft_equal" and sup.matched_to:  # every label at the matched probe's mean confidence on its split
        for split in LABELLED_SPLITS:
            probe = matched.loc[matched["split"] == split, "soft_label"].to_numpy(dtype=np.float64)
            sure = max((1.0 + np.abs(2 * probe - 1).mean()) / 2, 0.501)
            preds[split] = np.where(preds[split] > 0.5, sure, 1.0 - sure)
    if sup.labels == "hard":
        preds = {split: (np.asarray(p1) > 0.5).astype(np.float32) for split, p1 in preds.items()}
    parts = []
    for split, p1 in preds.items():
        rows = splits[splits["split"] == split]
        parts.append(pd.DataFrame({
            "id": rows["id"].to_numpy(), "split": split, "gt_label": rows["label"].to_numpy(),
            "soft_label": np.asarray(p1, dtype=np.float32), "hard_label": (np.asarray(p1) > 0.5).astype(np.int8),
            "weak_model": sup.name, "dataset": dataset, "seed": seed,
        }))
    table = pd.concat(parts, ignore_index=True)
    realised = error_rates(table)
    log.info("%s seed %d: error rate %s", sup.name, seed, ", ".join(f"{s} {realised[s]:.3f}" for s in LABELLED_SPLITS))
    return table

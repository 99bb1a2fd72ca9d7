"""The vision experiment (Burns et al. 2023, §4.1 and appendix: linear probes on frozen image
features, k classes): a weak backbone's probe, trained on ``train_a`` ground truth, labels ``train_b``
with its distribution over the classes; a probe on a strong backbone learns those soft labels with
each loss (the *student*), or ``train_b`` ground truth (the *ceiling*); all are scored on ``test``.

Data augmentation (one of the paper's methods): with ``n_views`` > 0 further students also train on
``n_views`` augmented views of each ``train_b`` image (random crop and flip; features cached per
view), each with the weak label of the original image, at the plain student's epochs (so with
``n_views`` + 1 times its steps) and at its number of steps. A regularised student (early stopping on
its agreement with held-out weak labels) is the control for a probe that memorises soft labels; every
student's agreement with the weak labels on train_b (``train_b_fit``) says how closely it fits them.

Images that backbones learning without labels (k-means patches) fit on are drawn once from the pool
(``unlabelled``) and never enter a split. PGR, agreement and the intervals are the NLP experiment's
(``metrics.py``), on k-way accuracy (the most likely class).

The steps run in jobs; ``plan.py`` is what the workflow reads to build its DAG.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow as pa

from ...errors import ConfigError

log = logging.getLogger(__name__)

SPLITS = ("train_a", "train_b", "test")

# results/vision/labels/<weak>.parquet, ceiling/<strong>.parquet, student/<weak>/<strong>/<loss>.parquet:
# k-way labels and predictions, one row per (image, split, seed).
VISION_TABLE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("split", pa.string()),  # train_b or test
        ("gt_label", pa.int16()),  # the class
        ("soft_label", pa.list_(pa.float32())),  # the model's distribution over the classes
        ("hard_label", pa.int16()),  # its most likely class
        ("model", pa.string()),  # who predicted: the weak backbone, the ceiling's or the student's
        ("role", pa.string()),  # weak, ceiling or student
        ("weak_model", pa.string()),  # a student's supervisor (empty otherwise)
        ("loss", pa.string()),  # a student's method (empty otherwise)
        ("n_views", pa.int16()),  # augmented views per train_b image the student also trained on (0: none)
        ("variant", pa.string()),  # a student's training: plain, regularised, views, views_equal_steps (empty otherwise)
        ("seed", pa.int32()),
    ]
)


# ---- the pool and its splits ----------------------------------------------------------------------

def pool_table(ids: list[str], labels: np.ndarray, classes: list[str], unlabelled: int, split_sizes: dict, data_seed: int,
               where: str) -> pd.DataFrame:
    """One row per image: id, label, class, and ``role``: "unlabelled" (``unlabelled`` images drawn with
    ``data_seed`` for backbones that learn without labels) or "pool" (what the seeds split)."""
    needed = unlabelled + sum(split_sizes.values())
    if len(ids) < needed:
        raise ConfigError(f"{where}: {len(ids)} images, but vision.unlabelled + vision.split_sizes need {needed}; lower them.")
    role = np.full(len(ids), "pool", dtype=object)
    role[np.random.default_rng(data_seed).permutation(len(ids))[:unlabelled]] = "unlabelled"
    return pd.DataFrame({"id": ids, "label": np.asarray(labels, dtype=np.int16), "class": [classes[k] for k in labels], "role": role})


def seed_split(pool: pd.DataFrame, split_sizes: dict, seed: int) -> pd.DataFrame:
    """A seed's train_a / train_b / test of the pool images (a random draw of each size)."""
    rows = pool[pool["role"] == "pool"]
    order = np.random.default_rng([seed, 7]).permutation(len(rows))
    parts, start = [], 0
    for split in SPLITS:
        take = rows.iloc[order[start:start + split_sizes[split]]]
        parts.append(pd.DataFrame({"id": take["id"].to_numpy(), "split": split, "label": take["label"].to_numpy()}))
        start += split_sizes[split]
    return pd.concat(parts, ignore_index=True)


# ---- the steps ------------------------------------------------------------------------------------

def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k, dtype=np.float32)[np.asarray(labels, dtype=np.int64)]


def table(split: pd.DataFrame, probs: dict[str, np.ndarray], seed: int, **columns) -> pd.DataFrame:
    parts = []
    for name, p in probs.items():
        rows = split[split["split"] == name]
        parts.append(pd.DataFrame({
            "id": rows["id"].to_numpy(), "split": name, "gt_label": rows["label"].to_numpy().astype(np.int16),
            "soft_label": list(np.asarray(p, dtype=np.float32)), "hard_label": np.asarray(p).argmax(1).astype(np.int16),
            **columns, "seed": seed,
        }))
    return pd.concat(parts, ignore_index=True)


def rows_of(features, position: dict[str, int], ids) -> object:
    from ...training.probe import select_rows

    return select_rows(features, position, pd.Series(list(ids))).float()


def fit_and_predict(x_train, targets: np.ndarray, predict: dict, loss: str, loss_options: dict, cfg, seed: int, desc: str,
                    select=None):
    from ...losses import make_loss
    from ...training.probe import fit_probe, probe_probabilities

    probe, _ = fit_probe(x_train, targets, make_loss(loss, loss_options), cfg, seed, desc=desc, select=select)
    return {name: probe_probabilities(probe, x) for name, x in predict.items()}


# The students each cell trains (``variant``): on the images (plain), the same with early stopping on
# its agreement with the weak labels of a held-out slice of train_b (regularised: a control for a probe
# that interpolates soft labels it has more features than images for), on the images and their
# augmented views (views: n_views + 1 times the optimisation steps), and on the views at the plain
# student's number of steps (views_equal_steps: the control for the extra steps).
VARIANTS = ("plain", "regularised", "views", "views_equal_steps")
HOLDOUT_FRAC = 0.2  # the regularised student's held-out slice of train_b


def weak_step(split: pd.DataFrame, features: tuple, n_classes: int, cfg, seed: int, name: str, own_head: bool = False) -> pd.DataFrame:
    """The weak probe: train_a ground truth → its distribution on train_b and test. ``own_head``: the
    features are a network's own logits for the dataset's classes (``head: own``), and its distribution
    is their softmax: the network's own predictions, with no probe and no train_a."""
    import torch

    feats, ids = features
    position = {i: k for k, i in enumerate(ids)}
    part = {s: split[split["split"] == s] for s in SPLITS}
    predict = {s: rows_of(feats, position, part[s]["id"]) for s in ("train_b", "test")}
    if own_head:
        if feats.shape[1] != n_classes:
            raise ConfigError(f"vision backbone '{name}': its head gives {feats.shape[1]} classes (head_classes), the dataset has "
                              f"{n_classes}; list one class index of the network per dataset class.")
        probs = {s: torch.softmax(x, -1).numpy() for s, x in predict.items()}
    else:
        probs = fit_and_predict(rows_of(feats, position, part["train_a"]["id"]), one_hot(part["train_a"]["label"], n_classes), predict,
                                "xent", {}, cfg, seed, f"weak {name}")
    return table(split, probs, seed, model=name, role="weak", weak_model="", loss="", n_views=np.int16(0), variant="")


def ceiling_step(split: pd.DataFrame, features: tuple, n_classes: int, cfg, seed: int, name: str) -> pd.DataFrame:
    feats, ids = features
    position = {i: k for k, i in enumerate(ids)}
    b, t = split[split["split"] == "train_b"], split[split["split"] == "test"]
    probs = fit_and_predict(rows_of(feats, position, b["id"]), one_hot(b["label"], n_classes),
                            {"test": rows_of(feats, position, t["id"])}, "xent", {}, cfg, seed, f"ceiling {name}")
    return table(split, probs, seed, model=name, role="ceiling", weak_model="", loss="", n_views=np.int16(0), variant="")


def holdout_rows(n: int, seed: int, frac: float = HOLDOUT_FRAC) -> np.ndarray:
    """Which of ``n`` train_b images the regularised student holds out (drawn per seed)."""
    held = np.zeros(n, dtype=bool)
    held[np.random.default_rng([seed, 23]).permutation(n)[:max(1, int(round(frac * n)))]] = True
    return held


def student_step(split: pd.DataFrame, weak_labels: pd.DataFrame, features: tuple, views: tuple | None, loss: str, loss_options: dict,
                 cfg, seed: int, name: str, weak: str) -> pd.DataFrame:
    """Every ``VARIANTS`` student on the weak model's train_b distributions (the views ones where
    ``views`` is given: (features [n_views · n, d], ids of each row)); each predicts test and train_b
    (its fit to the weak labels there)."""
    import dataclasses

    import torch

    feats, ids = features
    position = {i: k for k, i in enumerate(ids)}
    b, t = split[split["split"] == "train_b"], split[split["split"] == "test"]
    soft = weak_labels[weak_labels["split"] == "train_b"].set_index("id")["soft_label"]
    targets = np.stack(soft.loc[b["id"]].to_numpy()).astype(np.float32)
    x_train, x_test = rows_of(feats, position, b["id"]), rows_of(feats, position, t["id"])
    predict = {"test": x_test, "train_b": x_train}
    columns = dict(model=name, role="student", weak_model=weak, loss=loss)
    out = [table(split, fit_and_predict(x_train, targets, predict, loss, loss_options, cfg, seed, f"student {loss}"), seed,
                 **columns, n_views=np.int16(0), variant="plain")]
    held = holdout_rows(len(b), seed)
    weak_class = targets[held].argmax(1)
    x_held = x_train[torch.from_numpy(held)]

    def agreement(model):  # early stopping on the weak labels of the held-out slice: no ground truth
        return float((model(x_held).argmax(1).numpy() == weak_class).mean())

    keep = torch.from_numpy(~held)
    stopped = dataclasses.replace(cfg, early_stopping="weak_labels")
    probs = fit_and_predict(x_train[keep], targets[~held], predict, loss, loss_options, stopped, seed, f"student {loss}, early stopping",
                            select=agreement)
    out.append(table(split, probs, seed, **columns, n_views=np.int16(0), variant="regularised"))
    if views is not None:
        view_feats, view_ids = views
        n_views = len(view_ids) // len(ids)
        view_position = {i: k for k, i in enumerate(view_ids[:len(ids)])}  # the view blocks list the images in one order
        rows = np.array([view_position[i] for i in b["id"]])
        x_views = torch.cat([x_train] + [view_feats[v * len(ids) + rows].float() for v in range(n_views)])
        y_views = np.concatenate([targets] * (n_views + 1))
        for variant, run in (("views", cfg), ("views_equal_steps", dataclasses.replace(cfg, epochs=cfg.epochs / (n_views + 1)))):
            desc = f"student {loss} + {n_views} views ({variant})"
            probs = fit_and_predict(x_views, y_views, predict, loss, loss_options, run, seed, desc)
            out.append(table(split, probs, seed, **columns, n_views=np.int16(n_views), variant=variant))
    return pd.concat(out, ignore_index=True)


# ---- metrics --------------------------------------------------------------------------------------

def mean_confidence(soft: pd.Series) -> float:
    """Mean (k · max p − 1) / (k − 1) of distributions (|2p − 1| at k = 2): 0 when every label is uniform."""
    p = np.stack(soft.to_numpy())
    k = p.shape[1]
    return float(((k * p.max(1) - 1) / (k - 1)).mean())


def per_seed_rows(weak: pd.DataFrame, ceiling: pd.DataFrame, students: pd.DataFrame) -> list[dict]:
    """Per (student, seed): weak, ceiling and student test accuracy (most likely class), PGR, agreement
    with the weak model overall and where it is right / wrong, and the weak labels' confidence."""
    from ...metrics import class_agreement, pgr

    rows = []
    for (loss, n_views, variant, seed), s in students.groupby(["loss", "n_views", "variant", "seed"], sort=True):
        w = weak[(weak["seed"] == seed)]
        c = ceiling[(ceiling["seed"] == seed) & (ceiling["split"] == "test")].set_index("id")
        fit = s[s["split"] == "train_b"].set_index("id")
        wb = w[w["split"] == "train_b"].set_index("id").loc[fit.index]
        s = s[s["split"] == "test"].set_index("id")
        wt = w[w["split"] == "test"].set_index("id").loc[s.index]
        y = s["gt_label"].to_numpy()
        acc = {"weak_acc": float((wt["hard_label"].to_numpy() == y).mean()),
               "ceiling_acc": float((c.loc[s.index, "hard_label"].to_numpy() == y).mean()),
               "student_acc": float((s["hard_label"].to_numpy() == y).mean())}
        rows.append({"weak": w["model"].iloc[0], "strong": s["model"].iloc[0], "loss": loss, "n_views": int(n_views),
                     "variant": variant, "seed": int(seed), **acc, "gap": acc["ceiling_acc"] - acc["weak_acc"],
                     # the student's fit to what it was taught: agreement with the weak labels on train_b
                     "train_b_fit": float((fit["hard_label"].to_numpy() == wb["hard_label"].to_numpy()).mean()) if len(fit) else np.nan,
                     "pgr": pgr(acc["student_acc"], acc["weak_acc"], acc["ceiling_acc"]),
                     "ceiling_le_weak": acc["ceiling_acc"] <= acc["weak_acc"],
                     **class_agreement(s["hard_label"].to_numpy(), wt["hard_label"].to_numpy(), y),
                     "weak_confidence": mean_confidence(w.loc[w["split"] == "train_b", "soft_label"]), "n_test": len(y)})
    return rows


SUMMARY_METRICS = ("weak_acc", "ceiling_acc", "student_acc", "gap", "pgr", "agreement", "agreement_weak_correct",
                   "agreement_weak_wrong", "weak_confidence", "train_b_fit")


def summarize(per_seed: pd.DataFrame, level: float = 0.95, min_weak_confidence: float | None = None) -> pd.DataFrame:
    """One row per (weak, strong, loss, n_views, variant): mean, median, t-interval and n of every metric,
    PGR of the seed-mean accuracies with Fieller's interval, and flags (``min_weak_confidence``: the
    metrics block's floor; None: its default)."""
    from ...blocks import MetricsOptions
    from ...metrics import summarize_cells

    if min_weak_confidence is None:
        min_weak_confidence = MetricsOptions.min_weak_confidence

    def head(g):
        return {"n_seeds": int(g["seed"].nunique()), "n_flagged": int(g["ceiling_le_weak"].sum())}

    def flag(g, row):
        notes = [f"ceiling<=weak in {row['n_flagged']}/{row['n_seeds']} seeds"] if row["n_flagged"] else []
        if row["weak_confidence_mean"] < min_weak_confidence:
            notes.append(f"weak labels near uniform (mean confidence {row['weak_confidence_mean']:.3f} < {min_weak_confidence})")
        return {"flag": "; ".join(notes)}

    table = summarize_cells(per_seed, ["weak", "strong", "loss", "n_views", "variant"], SUMMARY_METRICS, level, head=head, tail=flag)
    return table.astype({"n_views": int}) if len(table) else table

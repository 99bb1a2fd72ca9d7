"""The easy-to-hard study's generated blocks of the docs: ``easy_to_hard`` (its table,
``results/metrics/easy_to_hard.csv``, and what it shows) and ``difficulty_rating`` (what the hardest
examples' ratings say: ``benchmarks/difficulty_vs_rating.py``'s rows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...table_text import interval, num, versus
from ...training_sets import SELECTED_BY_DIFFICULTY, SELECTED_LIKE_TEST
from .. import FamilyTables


def easy_to_hard_table(table: pd.DataFrame) -> str:
    """Per dataset and training set: the hard test set (size, share of class 1), the student's balanced
    accuracy there and its accuracy on the whole test set, with ground truth and with weak labels (the
    hard set is rarely balanced), and the weak model's own on both (``easy_to_hard.csv``). Training
    sets chosen by ground-truth difficulty are marked †, the one chosen by the hard test set's own
    rule ‡."""
    lines = ["| dataset | trained on | n train (mean) | hard test: n, class-1 share | student, ground truth: hard (balanced acc) "
             "| student, ground truth: all test (acc) | student, weak labels: hard (balanced acc) "
             "| student, weak labels: all test (acc) | weak model: hard (balanced) / all test (acc) |",
             "|---|---|---|---|---|---|---|---|---|"]

    def cell(by, labels, column):
        if labels not in by.index or f"{column}_mean" not in by:
            return "—"
        r = by.loc[labels]
        return interval(r[f"{column}_mean"], r[f"{column}_ci_low"], r[f"{column}_ci_high"], int(r[f"{column}_n"]), digits=3)

    marks = {SELECTED_BY_DIFFICULTY: " †", SELECTED_LIKE_TEST: " ‡"}
    for (dataset, train_set), g in table.groupby(["dataset", "train_set"], sort=False):
        by = g.set_index("labels")
        name = train_set if train_set in ("all", "hard") else f"easy ≤ {train_set}"
        name += marks.get(str(g["selected_by"].iloc[0]), "")
        first = g.iloc[0]
        hard = f"{first['n_test_hard_mean']:.0f}, {first['hard_test_pos_frac_mean']:.2f}"
        weak = f"{num(first['weak_hard_test_bal_acc_mean'], 3)} / {num(first['weak_full_test_acc_mean'], 3)}"
        lines.append(f"| {dataset} | {name} | {first['n_train_mean']:.0f} | {hard} | {cell(by, 'ground_truth', 'hard_test_bal_acc')} "
                     f"| {cell(by, 'ground_truth', 'full_test_acc')} | {cell(by, 'weak', 'hard_test_bal_acc')} "
                     f"| {cell(by, 'weak', 'full_test_acc')} | {weak} |")
    lines.append("")
    one_size = bool((table.groupby("dataset")["n_train_mean"].nunique() == 1).all())
    lines.append(("Every training set of a seed is subsampled to one size, so the sets differ in which examples they hold, "
                  "not in how many. " if one_size else
                  "The training sets differ in size (n train): size alone can rank them (`easy_to_hard.train_size` gives "
                  "them one). ") + "† trained on the rows of train_b that ground-truth difficulty "
                 "selects (easy up to a cutoff): in the weak-label columns these rows were chosen by ground truth, which no "
                 "weak supervisor could do. ‡ train and test chosen by the same failure rule (rows the models smaller than the "
                 "student get wrong): a high hard-test score there is that selection, and the whole-test accuracy says what the "
                 "student learnt. The weak model is a rung of the difficulty ladder, so its accuracy on the hard examples is "
                 "low by construction.")
    readings = easy_to_hard_readings(table)
    if readings:
        lines += ["", "What the table shows (each direction only where an interval is clear of its reference):", "", readings]
    return "\n".join(lines)


def easy_to_hard_readings(table: pd.DataFrame) -> str:
    """The readings of the easy-to-hard table, per dataset, each with the comparison that decides its
    direction (an interval clear of a reference, or intervals that overlap: no claim)."""
    out = []
    for dataset, g in table.groupby("dataset", sort=False):
        by = g.set_index(["train_set", "labels"])
        if ("hard", "ground_truth") not in by.index or ("all", "weak") not in by.index:
            continue
        weak_all = float(g["weak_full_test_acc_mean"].iloc[0])
        hard = by.loc[("hard", "ground_truth")]
        best = g[g["labels"] == "ground_truth"].set_index("train_set")["hard_test_bal_acc_mean"].idxmax() == "hard"
        f_lo, f_hi = hard["full_test_acc_ci_low"], hard["full_test_acc_ci_high"]
        out.append(f"- `{dataset}`, **the hard set (‡)**: trained on the hard rows, the ground-truth student scores "
                   f"{hard['hard_test_bal_acc_mean']:.3f} (balanced) on the hard test rows"
                   + (", the highest hard-test score of its column," if best else "")
                   + f" and {hard['full_test_acc_mean']:.3f} [{f_lo:.3f}, {f_hi:.3f}] on the whole test set, "
                   f"{versus(f_lo, f_hi, weak_all)} the weak model's {weak_all:.3f}: the hard-test score is the selection "
                   "(train and test rows picked by one rule), not a skill the other sets lack.")
        easy = [t for t in dict.fromkeys(g["train_set"]) if t not in ("all", "hard")]
        base = by.loc[("all", "ground_truth")]
        overlap = all(by.loc[(t, "ground_truth"), "full_test_acc_ci_low"] <= base["full_test_acc_ci_high"]
                      and by.loc[(t, "ground_truth"), "full_test_acc_ci_high"] >= base["full_test_acc_ci_low"] for t in easy)
        easy_full = [by.loc[(t, "ground_truth"), "full_test_acc_mean"] for t in easy]
        others = [*easy, "all"]
        easy_hard = [by.loc[(t, "ground_truth"), "hard_test_bal_acc_mean"] for t in others]
        at_chance = sum(by.loc[(t, "ground_truth"), "hard_test_bal_acc_ci_low"] <= 0.5 <= by.loc[(t, "ground_truth"),
                                                                                                  "hard_test_bal_acc_ci_high"]
                        for t in others)
        out.append(f"- `{dataset}`, **easy against all at one size**: the ground-truth students of the easy sets score "
                   f"{min(easy_full):.3f} to {max(easy_full):.3f} on the whole test set against {base['full_test_acc_mean']:.3f} "
                   f"for a random subset of train_b of the same size, "
                   + ("every interval overlapping that one (no claim that easy examples teach more or less)"
                      if overlap else "not every interval overlapping that one (see the table for the direction)")
                   + f"; on the hard test rows these sets and all of train_b reach {min(easy_hard):.3f} to "
                   f"{max(easy_hard):.3f} balanced ({at_chance} of {len(others)} intervals include chance, 0.5).")
        weak = by.loc[("all", "weak")]
        w_lo, w_hi = weak["full_test_acc_ci_low"], weak["full_test_acc_ci_high"]
        h_lo, h_hi = weak["hard_test_bal_acc_ci_low"], weak["hard_test_bal_acc_ci_high"]
        out.append(f"- `{dataset}`, **weak labels on all of train_b** (the one weak-label cell no ground truth chose): "
                   f"{weak['full_test_acc_mean']:.3f} [{w_lo:.3f}, {w_hi:.3f}] on the whole test set, "
                   f"{versus(w_lo, w_hi, weak_all)} the weak model's {weak_all:.3f}, and "
                   f"{weak['hard_test_bal_acc_mean']:.3f} [{h_lo:.3f}, {h_hi:.3f}] balanced on the hard rows, "
                   f"{versus(h_lo, h_hi, 0.5, 'above chance', 'below chance: it imitates the weak model there', 'at chance')}.")
    return "\n".join(out)


NEAR_NEUTRAL = 0.5  # a mean |rating| within half a point of neutral, on the VADER study's -4..4 scale


def difficulty_rating_text(table: pd.DataFrame) -> str:
    """``benchmarks/difficulty_vs_rating.py``'s rows: per dataset and difficulty level, the rated
    sentences' mean and median |mean rating|; then, per dataset, what the hardest level's ratings say:
    close to neutral (mean |rating| under ``NEAR_NEUTRAL``) or not, beside the easiest level's."""
    lines = ["| dataset | difficulty (easiest first) | examples | mean \\|rating\\| | median \\|rating\\| |", "|---|---|---|---|---|"]
    for _, r in table.sort_values(["dataset", "rank"]).iterrows():
        lines.append(f"| {r['dataset']} | {r['difficulty']} | {r['n']:,} | {r['mean_abs_rating']:.2f} | {r['median_abs_rating']:.2f} |")
    lines.append("")
    for dataset, g in table.sort_values("rank").groupby("dataset", sort=True):
        easiest, hardest = g.iloc[0], g.iloc[-1]
        head = (f"- `{dataset}`: the {hardest['difficulty']} examples have a mean |rating| of {hardest['mean_abs_rating']:.2f} "
                f"(median {hardest['median_abs_rating']:.2f}) against {easiest['mean_abs_rating']:.2f} for those {easiest['difficulty']} "
                "solves")
        if hardest["mean_abs_rating"] < NEAR_NEUTRAL:
            lines.append(f"{head}: close to neutral (within {NEAR_NEUTRAL} of 0 on the −4..4 scale): their labels are the "
                         "signs of small means, labels the raters themselves barely agree on.")
        else:
            lines.append(f"{head}: rated less strongly than the easy ones but not close to neutral (more than {NEAR_NEUTRAL} "
                         "from 0 on the −4..4 scale): their labels are not mostly ones the raters barely agree on.")
    return "\n".join(lines)


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None, headline_pair=None) -> dict[str, str]:
    out = {}
    table = results / "metrics/easy_to_hard.csv"
    if table.exists():
        out["easy_to_hard"] = easy_to_hard_table(pd.read_csv(table, keep_default_na=True))
    if rows is not None and (rows / "difficulty_vs_rating.csv").exists():  # benchmarks/difficulty_vs_rating.py
        out["difficulty_rating"] = difficulty_rating_text(pd.read_csv(rows / "difficulty_vs_rating.csv"))
    return out


TABLES = FamilyTables(blocks, results_blocks=("easy_to_hard",), metric_files=("easy_to_hard.csv",))

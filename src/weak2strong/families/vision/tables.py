"""The vision family's generated block of the docs: ``vision`` (results/metrics/vision.csv), its table and
what it shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...table_text import compare_pgr, interval, num, pgr_cell
from .. import FamilyTables


def vision_table(vision: pd.DataFrame) -> str:
    """Per (weak → strong, loss, student variant): weak, ceiling and student test accuracy, the
    student's fit to the weak labels on train_b, and PGR of means."""
    names = {"plain": "plain", "regularised": "early stopping (held-out weak labels)", "views": "+ {n} views",
             "views_equal_steps": "+ {n} views, equal steps"}
    lines = ["| weak → strong | loss | student | weak acc | ceiling acc | student acc | agreement with weak labels on train_b "
             "| PGR of means [95% CI] | flags |",
             "|---|---|---|---|---|---|---|---|---|"]
    for _, r in vision.iterrows():
        pgr = pgr_cell(r)
        flag = r["flag"] if isinstance(r.get("flag"), str) and r["flag"] else "—"
        student = interval(r["student_acc_mean"], r["student_acc_ci_low"], r["student_acc_ci_high"], int(r["student_acc_n"]), digits=3)
        variant = r.get("variant") if isinstance(r.get("variant"), str) else ("views" if r["n_views"] else "plain")
        fit = num(r["train_b_fit_mean"], 3) if "train_b_fit_mean" in r else "—"
        lines.append(f"| {r['weak']} → {r['strong']} | {r['loss']} | {names[variant].format(n=int(r['n_views']))} | "
                     f"{r['weak_acc_mean']:.3f} | {r['ceiling_acc_mean']:.3f} | {student} | {fit} | {pgr} | {flag} |")
    return "\n".join(lines)


def vision_readings(vision: pd.DataFrame) -> str:
    """Per (weak → strong, loss): whether the plain student memorises train_b (its fit to the weak
    labels there against its agreement with the weak model on test images it never saw), what early
    stopping on held-out weak labels changes, and the views at equal steps against the views and
    against the plain student (each comparison decided by the PGR intervals)."""
    if "variant" not in vision or "train_b_fit_mean" not in vision:
        return ""
    out = []
    for (weak, strong, loss), g in vision.groupby(["weak", "strong", "loss"], sort=False):
        by = g.set_index("variant")
        if "plain" not in by.index:
            continue
        plain = by.loc["plain"]
        gap = plain["train_b_fit_mean"] - plain["agreement_mean"]
        text = (f"- {weak} → {strong}, `{loss}`: the plain student agrees with the weak labels on {plain['train_b_fit_mean']:.2f} of "
                f"train_b and with the weak model on {plain['agreement_mean']:.2f} of the test images it never saw "
                f"({plain['agreement_weak_wrong_mean']:.2f} where the weak model is wrong): ")
        copies = plain["agreement_weak_wrong_mean"] > 0.5
        text += ("no memorisation gap (under 0.05): it learns a function that generalises to new images, "
                 + ("the weak model's errors included" if copies else "leaving most of the weak model's errors")
                 if abs(gap) < 0.05 else f"a gap of {gap:.2f}: part of its fit is memorised")
        if "regularised" in by.index:
            text += (f"; early stopping on held-out weak labels: PGR {num(by.loc['regularised', 'pgr_of_means'])} against "
                     f"{num(plain['pgr_of_means'])}, " + compare_pgr(by.loc["regularised"], plain, "early stopping", "plain"))
        if {"views", "views_equal_steps"} <= set(by.index):
            views, equal = by.loc["views"], by.loc["views_equal_steps"]
            text += (f"; views at equal steps: PGR {num(equal['pgr_of_means'])} against {num(views['pgr_of_means'])} with the "
                     f"extra steps ({compare_pgr(equal, views, 'equal steps', 'extra steps')}) and {num(plain['pgr_of_means'])} "
                     f"without views ({compare_pgr(equal, plain, 'views', 'no views')})")
        out.append(text + ".")
    return "\n".join(out)


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None, headline_pair=None) -> dict[str, str]:
    if not (results / "metrics/vision.csv").exists():
        return {}
    vision = pd.read_csv(results / "metrics/vision.csv", keep_default_na=True)
    readings = vision_readings(vision)
    return {"vision": vision_table(vision) + (("\n\nWhat the table shows (a direction only where two PGR intervals are "
                                                "apart):\n\n" + readings) if readings else "")}


TABLES = FamilyTables(blocks, results_blocks=("vision",), metric_files=("vision.csv",))

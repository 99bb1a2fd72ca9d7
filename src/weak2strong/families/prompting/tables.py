"""The prompting baselines' generated block of the docs: ``prompting`` (their rows of summary.csv beside
the decoders' probes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...table_text import interval, read_summary
from .. import FamilyTables


def prompting_table(prompted: pd.DataFrame, trained: pd.DataFrame, student_loss: str = "xent") -> str:
    """Per (dataset, decoder): each prompting mode's test accuracy and AUROC, the ceiling (the decoder's probe on
    ground truth) and the weak-to-strong student (its probe on the same weak model's labels)."""
    lines = ["| dataset | decoder | zero-shot | few-shot, ground truth | few-shot, weak labels | ceiling | weak-to-strong probe | "
             "weak model |", "|---|---|---|---|---|---|---|---|"]
    for (dataset, strong), g in prompted.groupby(["dataset", "strong"], sort=True):
        g = g.set_index("loss")

        def acc(mode):  # accuracy, and AUROC: a model that answers one word whatever the text has AUROC near 0.5
            r = g.loc[mode]
            return (interval(r["student_acc_mean"], r["student_acc_ci_low"], r["student_acc_ci_high"], int(r["student_acc_n"]), digits=3)
                    + f"; AUROC {r['student_auroc_mean']:.2f}")

        first = g.iloc[0]
        w2s = trained[(trained["dataset"] == dataset) & (trained["strong"] == strong) & (trained["weak"] == first["weak"])
                      & (trained["loss"] == student_loss)]
        student = "—" if w2s.empty else interval(*w2s.iloc[0][["student_acc_mean", "student_acc_ci_low", "student_acc_ci_high"]],
                                                   int(w2s.iloc[0]["student_acc_n"]), digits=3)
        lines.append(f"| {dataset} | {strong} | {acc('zero_shot')} | {acc('few_shot_gt')} | {acc('few_shot_weak')} | "
                     f"{first['ceiling_acc_mean']:.3f} | {student} | {first['weak']} {first['weak_acc_mean']:.3f} |")
    return "\n".join(lines)


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None, headline_pair=None) -> dict[str, str]:
    if not (results / "metrics/summary.csv").exists():
        return {}
    summary = read_summary(results)
    prompted = summary[summary["supervisor"] == "prompting"]
    if prompted.empty:
        return {}
    return {"prompting": prompting_table(prompted, summary[summary["supervisor"] == "trained"])}


TABLES = FamilyTables(blocks, results_blocks=("prompting",), metric_files=("summary.csv",))

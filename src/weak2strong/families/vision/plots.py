"""The vision family's figure (figures.py says what it shows): the weak probe, each student and the ceiling per pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...plots import ci_bars, loss_colors, ordered_losses, plt, seeds_note


def plot_vision(summary: pd.DataFrame):
    """Per (weak → strong) pair: the weak probe, a bar per (loss, variant) student and the ceiling."""
    pairs = summary[["weak", "strong"]].drop_duplicates().to_records(index=False).tolist()
    order = ordered_losses(summary["loss"])
    from .steps import VARIANTS

    variants = sorted(summary[["loss", "variant"]].drop_duplicates().itertuples(index=False),
                      key=lambda v: (VARIANTS.index(v[1]), order.index(v[0])))
    views = dict(zip(summary["variant"], summary["n_views"]))
    names = {"plain": "", "regularised": ", early stopping", "views": " + {n} views", "views_equal_steps": " + {n} views, equal steps"}
    hatches = {"plain": None, "regularised": "..", "views": "//", "views_equal_steps": "\\\\"}
    colors = loss_colors(ordered_losses(summary["loss"]))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 + len(pairs) * (0.8 + 0.45 * len(variants))), 5.0))
    width = 0.8 / (len(variants) + 1)
    for i, (weak, strong) in enumerate(pairs):
        d = summary[(summary["weak"] == weak) & (summary["strong"] == strong)]
        first = d.iloc[0]
        x0 = i - 0.4
        ax.bar(x0 + width / 2, first["weak_acc_mean"], width, color="lightgrey", edgecolor="grey",
               yerr=ci_bars(d.iloc[[0]], "weak_acc"), capsize=3, label="weak probe" if i == 0 else None)
        for j, (loss, variant) in enumerate(variants):
            row = d[(d["loss"] == loss) & (d["variant"] == variant)]
            if row.empty:
                continue
            x = x0 + width * (j + 1.5)
            label = loss + names[variant].format(n=views[variant])
            bar = ax.bar(x, row["student_acc_mean"], width, color=colors[loss], yerr=ci_bars(row, "student_acc"), capsize=3,
                         label=label if i == 0 else None, hatch=hatches[variant], edgecolor="white" if hatches[variant] else None)
            pgr = row["pgr_of_means"].iloc[0]
            top = np.nanmax([bar[0].get_height(), row["student_acc_ci_high"].iloc[0]])  # above the error bar, not on it
            ax.text(x, top + 0.015, "PGR\n" + (f"{pgr:.2f}" if not np.isnan(pgr) else "—"), ha="center", fontsize=6)
        ax.hlines(first["ceiling_acc_mean"], x0, x0 + 0.8, color="black", lw=2,
                  label="ceiling (strong on ground truth)" if i == 0 else None)
    ax.set_xticks(range(len(pairs)), [f"{w}\n→ {s}" for w, s in pairs], fontsize=8)
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, min(1.0, summary["ceiling_acc_mean"].max() + 0.2) + 0.08)  # room for the PGR labels above the bars
    ax.grid(axis="y", alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=7, loc="lower center", ncol=4, frameon=False)  # below: never over a bar
    ax.set_title(f"Vision weak-to-strong: mean over seeds, 95% t-intervals ({seeds_note(summary)})", fontsize=10)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig


def draw_vision(data, options, context):
    return plot_vision(data["vision"])

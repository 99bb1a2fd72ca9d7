"""The prompting baselines' figure: each prompting mode against the decoder's probes, by decoder size."""

from __future__ import annotations

import pandas as pd

from ...plots import ci_bars, panel_grid, seeds_note, trained_only

PROMPT_STYLES = {
    "zero_shot": dict(color="tab:grey", marker="v", ls=":", label="zero-shot"),
    "few_shot_gt": dict(color="tab:blue", marker="^", ls="--", label="few-shot, ground-truth labels"),
    "few_shot_weak": dict(color="tab:orange", marker="^", ls="--", label="few-shot, weak labels"),
}


def plot_prompting(summary: pd.DataFrame, sizes: dict[str, float], models: list[str], weak: str, student_loss: str = "xent"):
    """Test accuracy against decoder size, one panel per dataset: each prompting mode, the ceiling
    (the decoder's probe on ground truth) and the weak-to-strong student (its probe on ``weak``'s labels)."""
    prompted = summary[summary["supervisor"] == "prompting"]
    trained = trained_only(summary)
    datasets = sorted(prompted["dataset"].unique())
    fig, axes = panel_grid(len(datasets), width=4.6, height=3.6)
    order = sorted(models, key=lambda m: sizes[m])
    for ax, dataset in zip(axes.flat, datasets):
        d = prompted[prompted["dataset"] == dataset]
        for mode, style in PROMPT_STYLES.items():
            rows = d[d["loss"] == mode].set_index("strong").reindex(order).dropna(subset=["student_acc_mean"])
            ax.errorbar([sizes[m] for m in rows.index], rows["student_acc_mean"], yerr=ci_bars(rows, "student_acc"), capsize=3, **style)
        ceiling = d.drop_duplicates("strong").set_index("strong").reindex(order).dropna(subset=["ceiling_acc_mean"])
        ax.errorbar([sizes[m] for m in ceiling.index], ceiling["ceiling_acc_mean"], yerr=ci_bars(ceiling, "ceiling_acc"), color="black",
                    marker="o", capsize=3, label="ceiling (probe, ground truth)")
        w2s = trained[(trained["dataset"] == dataset) & (trained["weak"] == weak) & (trained["loss"] == student_loss)]
        w2s = w2s.set_index("strong").reindex(order).dropna(subset=["student_acc_mean"])
        ax.errorbar([sizes[m] for m in w2s.index], w2s["student_acc_mean"], yerr=ci_bars(w2s, "student_acc"), color="tab:green",
                    marker="s", capsize=3, label=f"weak-to-strong probe ({student_loss})")
        ax.axhline(d["weak_acc_mean"].mean(), color="grey", ls="--", lw=1, label=f"weak model ({weak})")
        ax.axhline(0.5, color="lightgrey", lw=0.8)
        ax.set_xscale("log")
        ax.set_xticks([sizes[m] for m in order], [f"{m}\n{sizes[m]:.0f}M" for m in order], fontsize=7)
        ax.minorticks_off()
        ax.set_ylabel("test accuracy")
        ax.set_title(f"{dataset} ({seeds_note(d)})", fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=6, frameon=False, loc="best")
    fig.suptitle("Prompting vs training on weak labels: mean over seeds, 95% t-intervals", fontsize=10)
    fig.tight_layout()
    return fig


def draw_prompting(data, options, context):
    """``context["prompting"]``: the prompting plan (its models and weak model)."""
    p = context["prompting"]
    return plot_prompting(data["summary"], context["sizes"], p["models"], p["weak"])

"""The simulated supervisors' figure: PGR against the supervisor's own accuracy, per kind of error."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from ...plots import flagged, only_losses, ordered_losses, plt, seeds_note

KIND_STYLES = {
    "feature_subset": dict(color="tab:red", marker="s", label="feature subset (systematic errors)"),
    "random_noise": dict(color="tab:blue", marker="o", label="random noise (calibrated confidence)"),
    "confident_wrong": dict(color="tab:purple", marker="^", label="confident wrong (random flips, sure of them)"),
    "length_flips": dict(color="tab:green", marker="D", label="length flips (the longest texts wrong)"),
    "length_bias": dict(color="tab:brown", marker="v", label="length bias (long means positive; linear in the features)"),
}


def plot_simulated_errors(summary: pd.DataFrame, supervisors: dict[str, dict]):
    """PGR against the supervisor's own test accuracy, one series per kind of error, one panel per
    (dataset, loss); supervisors compared at one accuracy (a feature-subset probe and the noise
    matched to it) share a group, written beside their points."""
    d_all = summary.assign(kind=summary["weak"].map(lambda w: supervisors[w]["kind"]),
                           group=summary["weak"].map(lambda w: supervisors[w]["group"]))
    datasets, losses = sorted(d_all["dataset"].unique()), ordered_losses(d_all["loss"])
    fig, axes = plt.subplots(len(datasets), len(losses), figsize=(4.6 * len(losses), 3.4 * len(datasets) + 0.7), squeeze=False)
    for ax, (dataset, loss) in zip(axes.flat, product(datasets, losses)):
        d = d_all[(d_all["dataset"] == dataset) & (d_all["loss"] == loss)]
        for kind, style in KIND_STYLES.items():
            dk = d[d["kind"] == kind].sort_values("weak_acc_mean")
            if dk.empty:
                continue
            point = dk["pgr_of_means"].to_numpy(dtype=float)
            err = np.vstack([point - dk["pgr_of_means_ci_low"].to_numpy(dtype=float),
                             dk["pgr_of_means_ci_high"].to_numpy(dtype=float) - point])
            ax.errorbar(dk["weak_acc_mean"], point, yerr=np.nan_to_num(err).clip(min=0), capsize=3, ls="-", **style)
            for x, y, group, hatched in zip(dk["weak_acc_mean"], point, dk["group"], flagged(dk)):
                if not np.isnan(y):
                    ax.annotate(group + (" *" if hatched else ""), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=6,
                                color=style["color"])
        ax.axhline(0, color="black", lw=0.8)
        ax.axhline(1, color="black", lw=0.8, ls=":")
        ax.set_xlabel("supervisor's test accuracy (mean over seeds)")
        ax.set_ylabel("PGR")
        ax.set_title(f"{dataset}, {loss}", fontsize=10)
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.02))
    student = ", ".join(sorted(summary["strong"].unique()))
    fig.suptitle(f"Simulated weak supervisors teaching {student}: PGR of seed-mean accuracies, 95% Fieller interval "
                 f"({seeds_note(summary)}); * ceiling ≤ weak or degenerate labels in some seed", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    return fig


def draw_simulated_errors(data, options, context):
    summary = data["summary"]
    summary = only_losses(summary[summary["weak"].isin(context["supervisors"])], options.get("losses"))
    return plot_simulated_errors(summary, context["supervisors"])

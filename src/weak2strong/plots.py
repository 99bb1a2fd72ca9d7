"""Figures, each rebuilt from the summary table alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .io import atomic_path  # noqa: E402


def save_figure(fig, path, dpi: int = 150) -> None:
    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=fmt)
    plt.close(fig)


def _err(df: pd.DataFrame, metric: str) -> np.ndarray:
    mean = df[f"{metric}_mean"].to_numpy()
    return np.vstack([mean - df[f"{metric}_ci_low"].to_numpy(), df[f"{metric}_ci_high"].to_numpy() - mean]).clip(min=0)


def plot_accuracy_vs_strong(summary: pd.DataFrame, sizes: dict[str, float], logx: bool = True):
    """Paper Fig. 3 style: test accuracy vs strong-model size; one line per weak supervisor
    (students), the ceiling in black, each weak model's own accuracy dashed."""
    datasets = sorted(summary["dataset"].unique())
    losses = list(dict.fromkeys(summary["loss"]))
    fig, axes = plt.subplots(len(datasets), len(losses), figsize=(4.2 * len(losses), 3.4 * len(datasets)), squeeze=False, sharex=True)
    weaks = sorted(summary["weak"].unique(), key=lambda w: sizes.get(w, 0))
    colors = {w: plt.cm.viridis(i / max(1, len(weaks) - 1) * 0.85) for i, w in enumerate(weaks)}
    for r, dataset in enumerate(datasets):
        for c, loss in enumerate(losses):
            ax = axes[r][c]
            d = summary[(summary["dataset"] == dataset) & (summary["loss"] == loss)].copy()
            d["size"] = d["strong"].map(sizes)
            ceiling = d.drop_duplicates("strong").sort_values("size")
            ax.errorbar(ceiling["size"], ceiling["ceiling_acc_mean"], yerr=_err(ceiling, "ceiling_acc"), color="black", marker="o", lw=2, capsize=3, label="strong ceiling")
            for w in weaks:
                dw = d[d["weak"] == w].sort_values("size")
                if dw.empty:
                    continue
                ax.errorbar(dw["size"], dw["student_acc_mean"], yerr=_err(dw, "student_acc"), color=colors[w], marker="o", capsize=3, label=f"student of {w}")
                ax.axhline(dw["weak_acc_mean"].iloc[0], color=colors[w], ls="--", lw=1, label=f"{w} (weak) alone")
            if logx:
                ax.set_xscale("log")
            ax.set_xticks(ceiling["size"].tolist(), [f"{n}\n({v:.0f}M)" for n, v in zip(ceiling["strong"], ceiling["size"])], fontsize=8)
            ax.minorticks_off()
            ax.set_title(f"{dataset} — {loss}", fontsize=10)
            ax.grid(alpha=0.3)
            if c == 0:
                ax.set_ylabel("test accuracy")
            if r == len(datasets) - 1:
                ax.set_xlabel("strong model (parameters used)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), bbox_to_anchor=(0.5, -0.02 - 0.02 * (len(labels) // 4)), frameon=False, fontsize=8)
    fig.suptitle("Weak-to-strong: test accuracy vs strong model (mean over seeds, 95% bootstrap CI)", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig


def plot_pgr(summary: pd.DataFrame, ylim: tuple[float, float] = (-1.5, 1.5)):
    """PGR per (weak → strong) pair and loss, one panel per dataset, with bootstrap CIs.

    A cell whose seed-mean ceiling is not above the weak model has no PGR: it is marked
    "no gap" instead of drawn. Bars beyond ``ylim`` (PGR that large means the gap is too small to
    measure) are clipped and their value printed.
    """
    datasets = sorted(summary["dataset"].unique())
    losses = list(dict.fromkeys(summary["loss"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(max(4.5, 2.2 + 1.4 * summary[["weak", "strong"]].drop_duplicates().shape[0]) * len(datasets) / max(1, len(datasets) ** 0.5), 3.8), squeeze=False)
    width = 0.8 / len(losses)
    for i, dataset in enumerate(datasets):
        ax = axes[0][i]
        d = summary[summary["dataset"] == dataset]
        pairs = d[["weak", "strong"]].drop_duplicates().to_records(index=False).tolist()
        x = np.arange(len(pairs))
        for j, loss in enumerate(losses):
            dl = d[d["loss"] == loss].set_index(["weak", "strong"]).reindex(pairs)
            point = dl["pgr_of_means"].to_numpy(dtype=float)
            err = np.vstack([point - dl["pgr_of_means_ci_low"].to_numpy(dtype=float), dl["pgr_of_means_ci_high"].to_numpy(dtype=float) - point]).clip(min=0)
            xs = x + (j - (len(losses) - 1) / 2) * width
            shown = np.clip(np.nan_to_num(point), *ylim)
            bars = ax.bar(xs, shown, width, yerr=np.where((point > ylim[0]) & (point < ylim[1]), np.nan_to_num(err), 0), capsize=3, label=loss)
            for k, (bar, flagged) in enumerate(zip(bars, dl["n_flagged"].fillna(0).to_numpy() > 0)):
                if flagged:
                    bar.set_hatch("//")
                    bar.set_edgecolor("grey")
                if np.isnan(point[k]):
                    ax.text(xs[k], 0.05, "no gap", rotation=90, ha="center", va="bottom", fontsize=7, color="grey")
                elif not ylim[0] < point[k] < ylim[1]:
                    ax.text(xs[k], shown[k], f"{point[k]:.1f}", ha="center", va="bottom" if point[k] > 0 else "top", fontsize=7)
        ax.axhline(0, color="black", lw=0.8)
        ax.axhline(1, color="black", lw=0.8, ls=":")
        ax.set_ylim(ylim[0] - 0.15, ylim[1] + 0.15)
        ax.set_xticks(x, [f"{w}\n→ {s}" for w, s in pairs], fontsize=8)
        ax.set_title(dataset, fontsize=10)
        ax.set_ylabel("PGR")
        ax.grid(axis="y", alpha=0.3)
    axes[0][-1].legend(title="loss", fontsize=8)
    fig.suptitle("Performance gap recovered: PGR of seed-mean accuracies, 95% bootstrap CI (hatched: ceiling ≤ weak in some seed)", fontsize=10)
    fig.tight_layout()
    return fig

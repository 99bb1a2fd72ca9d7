"""Figures, each rebuilt from the summary table alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .io import atomic_path  # noqa: E402


def ordered_losses(column: pd.Series) -> list[str]:
    """The methods present, in the registry's order (xent first), so legends read the same everywhere."""
    from .losses import LOSSES

    present = set(column)
    return [loss for loss in LOSSES if loss in present] + sorted(present - set(LOSSES))


def loss_colors(losses) -> dict:
    """One colour per method, the same in every figure (registry order)."""
    from .losses import LOSSES

    order = list(LOSSES) + sorted(set(losses) - set(LOSSES))
    return {loss: plt.cm.tab10(order.index(loss) % 10) for loss in losses}


def oracle_note(df: pd.DataFrame) -> str:
    """A title suffix that marks results early-stopped on ground truth (an oracle upper bound)."""
    if "early_stopping" in df and (df["early_stopping"] == "ground_truth").any():
        return "\nORACLE: students early-stopped on ground truth (an upper bound, not a method)"
    if "early_stopping" in df and (df["early_stopping"] == "weak_labels").any():
        return " [early stopping on held-out weak labels]"
    return ""


def seeds_note(df: pd.DataFrame, column: str = "n_seeds") -> str:
    """How many seeds each interval rests on: "n = 10 seeds", or a range when cells differ."""
    n = df[column].dropna().astype(int) if column in df else pd.Series(dtype=int)
    if n.empty:
        return "n = ? seeds"
    return f"n = {n.min()} seeds" if n.min() == n.max() else f"n = {n.min()}–{n.max()} seeds"


def flagged(df: pd.DataFrame) -> np.ndarray:
    """Cells with a seed whose ceiling is not above the weak model, or whose supervision was
    degenerate (weak labels near 0.5, a loss that kept almost no labels): drawn hatched."""
    out = df["n_flagged"].fillna(0).to_numpy() > 0
    if "n_degenerate" in df:
        out |= df["n_degenerate"].fillna(0).to_numpy() > 0
    return out


def panel_grid(n_panels: int, width: float = 4.2, height: float = 3.3):
    """A grid of at most four columns for ``n_panels`` panels; unused axes are hidden."""
    ncols = min(4, n_panels)
    nrows = -(-n_panels // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.axis("off")
    return fig, axes


def save_figure(fig, path, dpi: int = 150) -> None:
    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=fmt)
    plt.close(fig)


def only_losses(df: pd.DataFrame, losses: list[str] | None) -> pd.DataFrame:
    """The rows of the methods a figure shows (``figures.<name>.losses``; None: all of them)."""
    if not losses:
        return df
    missing = sorted(set(losses) - set(df["loss"]))
    if missing:
        raise ValueError(f"config/config.yaml: figures: losses {missing} were not run (run: {sorted(set(df['loss']))}); "
                         "add them to experiment.losses or drop them from the figure's losses.")
    return df[df["loss"].isin(losses)]


def ci_bars(df: pd.DataFrame, metric: str) -> np.ndarray:
    mean = df[f"{metric}_mean"].to_numpy()
    # no interval (one seed): no error bar, rather than a zero-width one that looks certain
    return np.nan_to_num(np.vstack([mean - df[f"{metric}_ci_low"].to_numpy(), df[f"{metric}_ci_high"].to_numpy() - mean])).clip(min=0)


def plot_accuracy_vs_strong(summary: pd.DataFrame, sizes: dict[str, float], logx: bool = True, metric: str = "accuracy"):
    """Paper Fig. 3 style: test accuracy vs strong-model size; one line per weak supervisor
    (students), the ceiling in black, each weak model's own accuracy dashed; where the summary has
    them (chess), the zero-shot strong model and a random legal move."""
    datasets = sorted(summary["dataset"].unique())
    losses = ordered_losses(summary["loss"])
    fig, axes = plt.subplots(len(datasets), len(losses), figsize=(4.2 * len(losses), 3.4 * len(datasets)), squeeze=False, sharex=True)
    weaks = sorted(summary["weak"].unique(), key=lambda w: sizes.get(w, 0))
    colors = {w: plt.cm.viridis(i / max(1, len(weaks) - 1) * 0.85) for i, w in enumerate(weaks)}
    for r, dataset in enumerate(datasets):
        for c, loss in enumerate(losses):
            ax = axes[r][c]
            d = summary[(summary["dataset"] == dataset) & (summary["loss"] == loss)].copy()
            d["size"] = d["strong"].map(sizes)
            ceiling = d.drop_duplicates("strong").sort_values("size")
            ax.errorbar(ceiling["size"], ceiling["ceiling_acc_mean"], yerr=ci_bars(ceiling, "ceiling_acc"), color="black", marker="o", lw=2,
                        capsize=3, label="strong ceiling")
            if "zero_shot_acc_mean" in ceiling:
                ax.errorbar(ceiling["size"], ceiling["zero_shot_acc_mean"], yerr=ci_bars(ceiling, "zero_shot_acc"), color="grey", ls=":",
                            marker="^", capsize=3, label="strong zero-shot")
            if "random_legal_acc_mean" in ceiling:
                ax.axhline(ceiling["random_legal_acc_mean"].mean(), color="grey", lw=0.8, label="random legal move")
            for w in weaks:
                dw = d[d["weak"] == w].sort_values("size")
                if dw.empty:
                    continue
                ax.errorbar(dw["size"], dw["student_acc_mean"], yerr=ci_bars(dw, "student_acc"), color=colors[w], marker="o", capsize=3,
                            label=f"student of {w}")
                ax.axhline(dw["weak_acc_mean"].iloc[0], color=colors[w], ls="--", lw=1, label=f"{w} (weak) alone")
            if logx:
                ax.set_xscale("log")
            ax.set_xticks(ceiling["size"].tolist(), [f"{n}\n({v:.0f}M)" for n, v in zip(ceiling["strong"], ceiling["size"])], fontsize=8)
            ax.minorticks_off()
            ax.set_title(f"{dataset} — {loss}", fontsize=10)
            ax.grid(alpha=0.3)
            if c == 0:
                ax.set_ylabel(f"test {metric}")
            if r == len(datasets) - 1:
                ax.set_xlabel("strong model (parameters used)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), bbox_to_anchor=(0.5, -0.02 - 0.02 * (len(labels) // 4)),
               frameon=False, fontsize=8)
    fig.suptitle(f"Weak-to-strong: test {metric} vs strong model (mean over seeds, 95% t-interval, {seeds_note(summary)})"
                 + oracle_note(summary), fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig


def plot_pgr(summary: pd.DataFrame, ylim: tuple[float, float] = (-1.5, 1.5)):
    """PGR per (weak → strong) pair and loss, one panel per dataset, with Fieller's interval over seeds.

    A cell whose seed-mean ceiling is not above the weak model has no PGR: it is marked
    "no gap" instead of drawn. A cell whose gap is not clearly above 0 has no interval: its bar is
    drawn without one and marked "no CI". Bars beyond ``ylim`` (PGR that large means the gap is too small to
    measure) are clipped and their value printed.
    """
    datasets = sorted(summary["dataset"].unique())
    losses = ordered_losses(summary["loss"])
    n_pairs = summary[["weak", "strong"]].drop_duplicates().shape[0]
    panel_width = max(4.5, 1.5 + n_pairs * (0.6 + 0.22 * len(losses)))
    ncols = 1 if panel_width > 7 else len(datasets)  # wide panels (many methods) stack
    nrows = -(-len(datasets) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_width * ncols, 3.6 * nrows + 0.6), squeeze=False)
    width = 0.8 / len(losses)
    for i, dataset in enumerate(datasets):
        ax = axes.flat[i]
        d = summary[summary["dataset"] == dataset]
        pairs = d[["weak", "strong"]].drop_duplicates().to_records(index=False).tolist()
        x = np.arange(len(pairs))
        no_gap = np.ones(len(pairs), dtype=bool)  # no loss has a PGR for this pair: one label for all
        for j, loss in enumerate(losses):
            no_gap &= np.isnan(d[d["loss"] == loss].set_index(["weak", "strong"]).reindex(pairs)["pgr_of_means"].to_numpy(dtype=float))
        for k in np.flatnonzero(no_gap):
            ax.text(x[k], 0.05, "no gap: ceiling ≤ weak", ha="center", va="bottom", fontsize=7, color="grey")
        for j, loss in enumerate(losses):
            dl = d[d["loss"] == loss].set_index(["weak", "strong"]).reindex(pairs)
            point = dl["pgr_of_means"].to_numpy(dtype=float)
            low, high = dl["pgr_of_means_ci_low"].to_numpy(dtype=float), dl["pgr_of_means_ci_high"].to_numpy(dtype=float)
            err = np.vstack([point - low, high - point]).clip(min=0)
            xs = x + (j - (len(losses) - 1) / 2) * width
            shown = np.clip(np.nan_to_num(point), *ylim)
            bars = ax.bar(xs, shown, width, yerr=np.where((point > ylim[0]) & (point < ylim[1]), np.nan_to_num(err), 0), capsize=3,
                          label=loss, color=loss_colors(losses)[loss])
            no_ci = ~np.isnan(point) & np.isnan(dl["pgr_of_means_ci_low"].to_numpy(dtype=float))
            for k, (bar, hatched) in enumerate(zip(bars, flagged(dl))):
                if hatched:
                    bar.set_hatch("//")
                    bar.set_edgecolor("grey")
                if np.isnan(point[k]) and not no_gap[k]:
                    ax.text(xs[k], 0.05, "no gap", rotation=90, ha="center", va="bottom", fontsize=7, color="grey")
                elif no_ci[k] and ylim[0] < point[k] < ylim[1]:
                    ax.text(xs[k], shown[k], "no CI", rotation=90, ha="center", va="bottom" if point[k] >= 0 else "top", fontsize=6,
                            color="grey")
                elif not np.isnan(point[k]) and not ylim[0] < point[k] < ylim[1]:
                    ax.text(xs[k], shown[k], f"{point[k]:.1f}", ha="center", va="bottom" if point[k] > 0 else "top", fontsize=6,
                            rotation=90)
        ax.axhline(0, color="black", lw=0.8)
        ax.axhline(1, color="black", lw=0.8, ls=":")
        ax.set_ylim(ylim[0] - 0.15, ylim[1] + 0.15)
        ax.set_xticks(x, [f"{w}\n→ {s}" for w, s in pairs], fontsize=8)
        ax.set_title(dataset, fontsize=10)
        ax.set_ylabel("PGR")
        ax.grid(axis="y", alpha=0.3)
    for ax in axes.flat[len(datasets):]:
        ax.axis("off")
    from matplotlib.patches import Patch

    handles = [Patch(color=loss_colors(losses)[loss], label=loss) for loss in losses]  # plain: bars may be hatched
    fig.legend(handles=handles, loc="lower center", ncol=min(8, len(losses)), frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.01))
    fig.suptitle(f"Performance gap recovered: PGR of seed-mean accuracies, 95% Fieller interval ({seeds_note(summary)}; "
                 "no CI: gap not clearly above 0)\nhatched: ceiling ≤ weak, or degenerate weak labels, in some seed"
                 + oracle_note(summary), fontsize=10)
    fig.tight_layout(rect=(0, 0.05 if nrows > 1 else 0.07, 1, 1))
    return fig


def plot_agreement(summary: pd.DataFrame, sizes: dict[str, float]):
    """Paper Fig. 8 shape: student–supervisor agreement vs strong model, on the test examples the
    weak model gets right (solid) and wrong (dashed), one line per method."""
    panels = summary[["dataset", "weak"]].drop_duplicates().sort_values(["dataset", "weak"]).to_records(index=False).tolist()
    losses = ordered_losses(summary["loss"])
    colors = loss_colors(losses)
    fig, axes = panel_grid(len(panels), height=3.4)
    for ax, (dataset, weak) in zip(axes.flat, panels):
        d = summary[(summary["dataset"] == dataset) & (summary["weak"] == weak)].copy()
        d["size"] = d["strong"].map(sizes)
        for loss in losses:
            dl = d[d["loss"] == loss].sort_values("size")
            for metric, style, label in (("agreement_weak_correct", "-", "weak right"), ("agreement_weak_wrong", "--", "weak wrong")):
                ax.errorbar(dl["size"], dl[f"{metric}_mean"], yerr=ci_bars(dl, metric), color=colors[loss], ls=style, marker="o", capsize=2,
                            label=f"{loss}, {label}")
        ax.set_xscale("log")
        strongs = d.drop_duplicates("strong").sort_values("size")
        ax.set_xticks(strongs["size"].tolist(), strongs["strong"].tolist(), fontsize=8)
        ax.minorticks_off()
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{dataset} — weak: {weak}", fontsize=10)
        ax.set_ylabel("agreement with weak model")
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.04))
    fig.suptitle("Student–supervisor agreement on test (solid: weak model right; dashed: weak model wrong)" + oracle_note(summary),
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    return fig


def plot_misfit(per_seed: pd.DataFrame):
    """Gain over the weak model against the student's misfit to the weak labels, per (cell, seed)."""
    datasets = sorted(per_seed["dataset"].unique())
    losses = ordered_losses(per_seed["loss"])
    colors = loss_colors(losses)
    fig, axes = plt.subplots(1, len(datasets), figsize=(4.5 * len(datasets) + 1.6, 3.8), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        d = per_seed[per_seed["dataset"] == dataset]
        for loss in losses:
            dl = d[d["loss"] == loss]
            ax.scatter(dl["misfit_kl"], dl["gain"], s=14, alpha=0.7, color=colors[loss], label=loss)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("misfit to weak labels on train_b (KL, nats)")
        ax.set_ylabel("gain: student − weak test accuracy")
        ax.set_title(dataset, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(title="loss", fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    fig.suptitle("Weak-to-strong gain vs misfit (one point per cell and seed)" + oracle_note(per_seed), fontsize=11)
    fig.tight_layout()
    return fig


def dynamics_table(cells: list[dict]) -> pd.DataFrame:
    """Long table (dataset, weak, strong, loss, seed, progress, test_acc, agreement) from the
    students' training curves (``curves[seed]["dynamics"]``, as written by the training rules)."""
    rows = []
    for c in cells:
        for seed, curve in c["curves"].items():
            total = curve["steps"]
            for point in curve.get("dynamics", []):
                rows.append({k: c[k] for k in ("dataset", "weak", "strong", "loss")} | {
                    "seed": int(seed), "progress": point["step"] / total, "test_acc": point["test_acc"], "agreement": point["agreement"]})
    return pd.DataFrame(rows, columns=["dataset", "weak", "strong", "loss", "seed", "progress", "test_acc", "agreement"])


def plot_dynamics(table: pd.DataFrame):
    """Test accuracy (solid) and agreement with the weak labels (dashed) over training, mean over seeds."""
    if table.empty:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, "no training dynamics recorded: set eval_points > 0 in the regime", ha="center", va="center")
        ax.axis("off")
        return fig
    keys = ["dataset", "weak", "strong"]
    panels = table[keys].drop_duplicates().sort_values(keys).to_records(index=False).tolist()
    losses = ordered_losses(table["loss"])
    colors = loss_colors(losses)
    fig, axes = panel_grid(len(panels), height=3.2)
    for ax, (dataset, weak, strong) in zip(axes.flat, panels):
        d = table[(table["dataset"] == dataset) & (table["weak"] == weak) & (table["strong"] == strong)]
        for loss in losses:
            mean = d[d["loss"] == loss].groupby("progress")[["test_acc", "agreement"]].mean()
            ax.plot(mean.index, mean["test_acc"], color=colors[loss], marker=".", label=f"{loss}: test accuracy")
            ax.plot(mean.index, mean["agreement"], color=colors[loss], ls="--", label=f"{loss}: agreement with weak")
        ax.set_title(f"{dataset}: {weak} → {strong}", fontsize=9)
        ax.set_xlabel("fraction of training")
        ax.set_ylabel("test accuracy / agreement")
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.04))
    fig.suptitle("Student training dynamics (mean over seeds)", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    return fig


def plot_bootstrap(table: pd.DataFrame):
    """Each chain's rungs (trained on the previous rung's labels) against direct W → S and the ceiling."""
    from .metrics import t_interval

    panels = table[["dataset", "chain"]].drop_duplicates().sort_values(["dataset", "chain"]).to_records(index=False).tolist()
    fig, axes = panel_grid(len(panels), width=4.6, height=3.4)
    for ax, (dataset, chain) in zip(axes.flat, panels):
        d = table[(table["dataset"] == dataset) & (table["chain"] == chain)]
        stats = []
        for (kind, step, model), g in d.groupby(["kind", "step", "model"], sort=False):
            lo, hi = t_interval(g["test_acc"].to_numpy())
            stats.append({"kind": kind, "step": step, "model": model, "mean": g["test_acc"].mean(), "lo": lo, "hi": hi})
        n_seeds = d["seed"].nunique() if "seed" in d else 0
        s = pd.DataFrame(stats)
        for kind, style in (("chain", dict(color="tab:blue", marker="o", label="bootstrapped chain")),
                            ("direct", dict(color="tab:orange", marker="s", ls="none", markersize=8, label="direct weak → strong")),
                            ("ceiling", dict(color="black", marker="*", ls="none", markersize=10, label="ceiling"))):
            k = s[s["kind"] == kind].sort_values("step")
            err = np.nan_to_num(np.vstack([k["mean"] - k["lo"], k["hi"] - k["mean"]])).clip(min=0)
            ax.errorbar(k["step"], k["mean"], yerr=err, capsize=3, **style)
        rungs = s[s["kind"] == "chain"].sort_values("step")
        ax.set_xticks(rungs["step"].tolist(), rungs["model"].tolist(), fontsize=8)
        ax.set_title(f"{dataset} — {chain} (n = {n_seeds} seeds)", fontsize=10)
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.03))
    fig.suptitle("Bootstrapping vs direct weak-to-strong (mean over seeds, 95% t-interval)", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    return fig


def plot_methods(methods: pd.DataFrame, baseline: str = "xent"):
    """Every method against ``baseline`` on the same seeds: the paired difference in student test
    accuracy with its 95% t-interval over seeds, one row per method, one marker per (weak → strong) pair."""
    datasets = sorted(methods["dataset"].unique())
    losses = [loss for loss in ordered_losses(methods["loss"]) if loss != baseline]
    pairs = methods[["weak", "strong"]].drop_duplicates().to_records(index=False).tolist()
    markers = "osD^vP*X"
    colors = {pair: plt.cm.viridis(i / max(1, len(pairs) - 1) * 0.85) for i, pair in enumerate(pairs)}
    col = f"student_acc_diff_vs_{baseline}"
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.2 * len(datasets), 0.9 + 0.45 * max(1, len(losses)) * max(1, len(pairs)) ** 0.5),
                             squeeze=False, sharey=True)
    for ax, dataset in zip(axes[0], datasets):
        d = methods[methods["dataset"] == dataset]
        for k, pair in enumerate(pairs):
            dp = d[(d["weak"] == pair[0]) & (d["strong"] == pair[1])].set_index("loss").reindex(losses)
            y = np.arange(len(losses)) + (k - (len(pairs) - 1) / 2) * 0.7 / max(1, len(pairs))
            x = 100 * dp[col].to_numpy(dtype=float)
            err = 100 * np.nan_to_num(np.vstack([dp[col] - dp["student_acc_diff_ci_low"], dp["student_acc_diff_ci_high"] - dp[col]]))
            err = err.clip(min=0)
            ax.errorbar(x, y, xerr=err, ls="none", marker=markers[k % len(markers)], color=colors[pair], capsize=2, ms=5,
                        label=f"{pair[0]} → {pair[1]}")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(np.arange(len(losses)), losses, fontsize=9)
        ax.set_xlabel(f"student test accuracy − {baseline} student's (points)")
        ax.set_title(dataset, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].invert_yaxis()  # registry order from the top (the y axis is shared: invert it once)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, title="weak → strong", loc="lower center", ncol=min(4, len(labels)), frameon=False, fontsize=8,
               title_fontsize=8, bbox_to_anchor=(0.5, -0.01))
    fig.suptitle(f"Each method against {baseline} on the same seeds (mean paired difference, 95% t-interval, "
                 f"{seeds_note(methods, 'student_acc_diff_n')})" + oracle_note(methods),
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.08 + 0.03 * ((len(labels) - 1) // 4), 1, 1))
    return fig


# ---- one entry point for the workflow's figure rule: draw_<name>(data, options, context) ----

def load_figure_data(inputs: dict) -> dict:
    """The data a figure is drawn from, read from the rule's named inputs: the training curves as JSON
    keyed by path; a list of tables (one per dataset and chain or training set) concatenated; else one
    table (Parquet, never the CSV copies: a Parquet file's edit is detected)."""
    import json

    from .io import read_parquet

    data = {}
    for kind, paths in inputs.items():
        if kind == "curves":
            curves = {}
            for path in paths:
                with open(path) as fh:
                    curves[path] = json.load(fh)
            data[kind] = curves
        elif isinstance(paths, str):
            data[kind] = read_parquet(paths)
        else:
            data[kind] = pd.concat([read_parquet(p) for p in paths], ignore_index=True)
    return data


def draw_figure(drawn_by: str, inputs: dict, options: dict, context: dict):
    """A figure from the rule's inputs, its options and the plan's context, drawn by the function the
    ``"weak2strong.<module>:<function>"`` declaration ``drawn_by`` names (figures.FigureSpec.drawn_by)."""
    from .registry import load

    return load(drawn_by)(load_figure_data(inputs), options, context)


def trained_only(table: pd.DataFrame) -> pd.DataFrame:
    """The cells of trained weak models: simulated supervisors have their own figure (simulated_errors)."""
    from .metrics import TRAINED

    return table[table["supervisor"] == TRAINED]


def draw_accuracy_vs_strong(data, options, context):
    summary = only_losses(trained_only(data["summary"]), options.get("losses"))
    return plot_accuracy_vs_strong(summary, context["sizes"], logx=options.get("logx", True))


def draw_pgr(data, options, context):
    return plot_pgr(only_losses(trained_only(data["summary"]), options.get("losses")), ylim=tuple(options.get("ylim", (-1.5, 1.5))))


def draw_agreement(data, options, context):
    return plot_agreement(only_losses(trained_only(data["summary"]), options.get("losses")), context["sizes"])


def draw_misfit(data, options, context):
    return plot_misfit(only_losses(trained_only(data["per_seed"]), options.get("losses")))


def draw_methods(data, options, context):
    return plot_methods(only_losses(trained_only(data["methods"]), options.get("losses")))


def draw_dynamics(data, options, context):
    """``context["cells"]``: the students shown, each with the paths of its curve files."""
    cells = []
    for cell in context["cells"]:
        curves = {}
        for path in cell["paths"]:
            curves.update(data["curves"][path])
        cells.append({**{k: cell[k] for k in ("dataset", "weak", "strong", "loss")}, "curves": curves})
    return plot_dynamics(dynamics_table(cells))


def plot_by_training_set(summary: pd.DataFrame, train_sets: list[str], metric: str = "accuracy"):
    """The student's score against the training set (easy up to each cutoff, all, hard), ground
    truth vs weak labels, one column per dataset and one row per metric, each on its own axis: top,
    balanced accuracy on the hard test examples where the summary has it (a hard set is rarely
    balanced), with the weak model's there (low by the definition of hard); bottom, accuracy on the
    whole test set, with the weak model's there (the comparison that is not chosen by difficulty). A
    summary of ``training_sets.summarize`` (chess's adds the zero-shot model, drawn where present).
    Sets chosen by ground-truth difficulty are marked †, the one chosen by the hard test set's own
    rule ‡."""
    from .training_sets import SELECTED_BY_DIFFICULTY, SELECTED_LIKE_TEST

    datasets = list(dict.fromkeys(summary["dataset"]))
    hard_column = "hard_test_bal_acc" if "hard_test_bal_acc_mean" in summary else "hard_test_acc"
    balanced = hard_column == "hard_test_bal_acc"
    rows = [("hard test", hard_column, "weak_hard_test_bal_acc_mean" if balanced else "weak_hard_test_acc_mean",
             "zero_shot_hard_test_acc_mean", f"balanced {metric}" if balanced else metric)]
    if "full_test_acc_mean" in summary:
        rows.append(("all test", "full_test_acc", "weak_full_test_acc_mean", "zero_shot_full_test_acc_mean", metric))
    fig, axes = plt.subplots(len(rows), len(datasets), figsize=(5.0 * len(datasets), 3.4 * len(rows)), squeeze=False)
    styles = {"ground_truth": dict(color="black", marker="o", ls="-", label="student, ground-truth labels"),
              "weak": dict(color="tab:orange", marker="s", ls="--", label="student, weak labels")}
    marks = {SELECTED_BY_DIFFICULTY: " †", SELECTED_LIKE_TEST: " ‡"}
    x = np.arange(len(train_sets))
    for col, dataset in enumerate(datasets):
        d = summary[summary["dataset"] == dataset]
        sizes = d.groupby("train_set")["n_train_mean"].first().reindex(train_sets)
        selected = d.groupby("train_set")["selected_by"].first().reindex(train_sets) if "selected_by" in d else pd.Series(dtype=str)
        names = [("easy ≤\n" + t) if t not in ("all", "hard") else t for t in train_sets]  # two lines: long model names
        ticks = [f"{name}{marks.get(selected.get(t), '')}\n(n≈{size:.0f})" for t, name, size in zip(train_sets, names, sizes)]
        for row, (where, column, weak_column, zero_column, label) in enumerate(rows):
            ax = axes[row, col]
            for labels, style in styles.items():
                dl = d[d["labels"] == labels].set_index("train_set").reindex(train_sets)
                ax.errorbar(x, dl[f"{column}_mean"], yerr=ci_bars(dl, column), capsize=3, **style)
            if weak_column in d:
                ax.axhline(d.groupby("train_set")[weak_column].first().mean(), color="grey", ls="-.", label="weak model")
            if zero_column in d:
                ax.axhline(d[zero_column].mean(), color="grey", ls=":", label="strong model zero-shot")
            if balanced and row == 0:
                ax.axhline(0.5, color="black", lw=0.6, ls=":")
            ax.set_xticks(x, ticks if row == len(rows) - 1 else [""] * len(x), fontsize=7)
            title = f"{dataset}: {where}"
            if row == 0 and "n_test_hard_mean" in d and "hard_test_pos_frac_mean" in d:
                title += f" (n≈{d['n_test_hard_mean'].iloc[0]:.0f}, {100 * d['hard_test_pos_frac_mean'].iloc[0]:.0f}% class 1)"
            ax.set_title(title, fontsize=9)
            ax.set_ylabel(f"{label}, {where}")
            ax.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.02))
    kinds = set(summary["selected_by"]) if "selected_by" in summary else set()
    note = "".join(text for kind, text in ((SELECTED_BY_DIFFICULTY, "; † rows chosen by ground-truth difficulty"),
                                           (SELECTED_LIKE_TEST, "; ‡ chosen by the hard test set's own rule")) if kind in kinds)
    fig.suptitle(f"Easy-to-hard: trained on easy examples, tested on hard ones and on all (mean, 95% t-interval, "
                 f"{seeds_note(summary)}){note}", fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    return fig

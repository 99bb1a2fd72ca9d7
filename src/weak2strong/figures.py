"""The figures: one entry each, saying what it is drawn from, which options it takes and its caption.

One rule (``workflow/rules/figures.smk``) and one script make every figure; the drawing is
``plots.draw_<name>(data, options, context)`` (or what ``draw`` declares). Adding a figure is that
function and one entry here; a family's figures are entries of its own (its ``figures.py``), joined
to these in ``families.registry.FIGURES``, which is what the workflow reads.
This module imports no plotting library and no family: a family's figures module imports
``FigureSpec`` from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import Registry


@dataclass(frozen=True)
class FigureSpec:
    name: str
    inputs: tuple[str, ...]  # the core's (common.smk figure_inputs: summary, per_seed, ...) or a family's tables
    caption: str
    options: tuple[str, ...] = ("dpi", "losses")  # what `figures.<name>` may set
    needs: str | None = None  # drawn only when the plan has this family ("bootstrap", "reward_modelling", ...)
    by_size: bool = False  # placed by model size: it is given the models' sizes (and reruns when they change)
    draw: str | None = None  # "weak2strong.<module>:<function>" that draws it; None: plots.draw_<name>

    @property
    def drawn_by(self) -> str:
        return self.draw or f"weak2strong.plots:draw_{self.name}"


CORE_FIGURES: Registry[FigureSpec] = Registry(
    "figure",
    [
        FigureSpec(
            "accuracy_vs_strong", ("summary",),
            "Test accuracy against strong-model size (millions of parameters used), one panel per dataset and loss: one line "
            "per weak supervisor (the weak-to-strong student), the strong ceiling (black) and each weak model's own accuracy "
            "(dashed). Points are means over seeds; bars are 95% t-intervals over seeds (the title gives n).",
            options=("dpi", "losses", "logx"), by_size=True,
        ),
        FigureSpec(
            "pgr", ("summary",),
            "Performance gap recovered, PGR = (student − weak) / (ceiling − weak), per (weak → strong) pair and loss, one "
            "panel per dataset. Bars: PGR of the seed-mean accuracies; error bars: Fieller's 95% interval over seeds, which "
            "is undefined (\"no CI\") when the gap is not clearly above 0. A hatched bar marks a cell with a seed whose "
            "ceiling was not above the weak model, or whose weak labels were degenerate (mean confidence below the floor).",
            options=("dpi", "losses", "ylim"),
        ),
        FigureSpec(
            "agreement", ("summary",),
            "Student–supervisor agreement on test against strong-model size, on the examples the weak model gets right "
            "(solid) and wrong (dashed), one line per method, one panel per (dataset, weak model). High agreement where the "
            "weak model is wrong means the student imitates its mistakes (paper Fig. 8).",
            by_size=True,
        ),
        FigureSpec(
            "misfit", ("per_seed",),
            "Gain over the weak model (student − weak test accuracy) against the student's misfit to the weak labels on "
            "train_b (mean KL(weak ‖ student), Charikar et al. 2024); one point per (cell, seed), coloured by method.",
        ),
        FigureSpec(
            "dynamics", ("curves",),
            "Training dynamics of the students: test accuracy against ground truth (solid) and agreement with the weak "
            "model's test labels (dashed) over training, mean over seeds, one panel per (dataset, weak, strong), one colour "
            "per method. A student that peaks early and then falls while its agreement keeps rising is overfitting to the "
            "weak model's errors. Needs ``eval_points`` > 0 in the regime.",
        ),
        FigureSpec(
            "methods", ("methods",),
            "Every student method against ``xent``, one panel per dataset: for each (weak → strong) pair, the mean over "
            "seeds of the paired difference in student test accuracy (same split, same weak labels, same seed), in points, "
            "with its 95% t-interval. A method helps on a pair when its interval lies right of 0. The numbers are those of "
            "``methods.csv``.",
        ),
    ],
).freeze()

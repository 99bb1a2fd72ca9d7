"""The easy-to-hard study's plan: the ``easy_to_hard`` block checked against the core plan, its
defaults resolved (the student, whose weak labels it learns, the difficulty ladder, the easy cutoffs
and the hard floor), and the paths its rules make. What the study does: ``steps.py``.

This module imports no torch: the workflow reads ``easy_to_hard_plan`` to build its DAG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...config_schema import with_schema_defaults
from ...errors import ConfigError
from ...names import checked_name
from ...training_sets import ALL, HARD, SMALLEST
from .. import FamilyPlan

SCHEMA = Path(__file__).with_name("schema.yaml")
WHERE = "config/config.yaml"


@dataclass
class EasyToHardPlan(FamilyPlan):
    strong: str  # the student: a probe on this model's features
    weak: str  # whose labels it learns in the weak-label arm
    ladder: list[str]  # the experiment's models, small to large: the difficulty ranks
    cutoffs: list[str]  # the easy cutoffs, models of the ladder smaller than the student
    hard_floor: int  # the student's rank: no smaller model solves a hard example
    difficulty_seeds: list[int]
    folds: int
    train_size: int | str | None  # every set of a seed subsampled to this size (SMALLEST: the seed's smallest set)
    datasets: list[str]
    seeds: list[int]

    @property
    def needs(self) -> set[str]:
        return {"easy_to_hard"}

    @property
    def cutoff_rank(self) -> dict[str, int]:
        return {c: self.ladder.index(c) for c in self.cutoffs}

    @property
    def train_sets(self) -> list[str]:
        """Each easy cutoff, then all of train_b, then the hard ones."""
        return [*self.cutoffs, ALL, HARD]

    def common_size_sets(self) -> dict[str, int | None] | None:
        """Every set's cutoff, where their common size is the smallest set's (a fixed size needs none)."""
        return {t: self.cutoff_rank.get(t) for t in self.train_sets} if self.train_size == SMALLEST else None

    def models_used(self, dataset: str) -> set[str]:
        return set(self.ladder)

    def cell_tables(self) -> list[str]:
        """Each (dataset, training set)'s table of seeds: what the study's table and figure read."""
        return [f"results/easy_to_hard/{d}/{t}.parquet" for d in self.datasets for t in self.train_sets]

    def targets(self, plan) -> list[str]:
        out = ["results/metrics/easy_to_hard.csv"]
        for d in self.datasets:
            out.append(f"results/difficulty/{d}.parquet")
            for t in self.train_sets:
                out.append(f"results/easy_to_hard/{d}/{t}.parquet")
                out += [f"results/easy_to_hard/{d}/splits/{t}/seed{s}.parquet" for s in self.seeds]
        return out

    def figure_inputs(self) -> dict:
        return {"easy_to_hard": self.cell_tables()}

    def figure_context(self, figure: str) -> dict:
        return {"train_sets": self.train_sets}


def easy_to_hard_plan(config: dict, plan) -> EasyToHardPlan | None:
    """The ``easy_to_hard`` block with its defaults resolved (the student: the largest strong model;
    its weak labels: the smallest weak model's; the cutoffs: every model of the ladder smaller than the
    student), checked against the experiment; None without one, or (with a warning) when the regime
    trains the model itself: the study trains probes on cached features."""
    block = config.get("easy_to_hard")
    if block is None:
        return None
    if not plan.on_features:
        plan.warnings.append(f"easy_to_hard is skipped: it trains probes on cached features, and regime '{plan.regime}' trains "
                             "the model itself (run it with a regime on features, e.g. linear_probe).")
        return None
    block = with_schema_defaults(block, SCHEMA)  # defaults live in the schema alone
    for role in ("strong", "weak"):
        name = block.get(role)
        if name is not None and name not in getattr(plan, role):
            raise ConfigError(f"{WHERE}: easy_to_hard.{role}: '{name}' is not in experiment.{role} ({', '.join(getattr(plan, role))}).")
    for cutoff in block.get("cutoffs") or []:
        checked_name(cutoff, f"{WHERE}: easy_to_hard.cutoffs")
    strong = block.get("strong") or max(plan.strong, key=lambda n: plan.models[n].size)
    weak = block.get("weak") or min(plan.weak, key=lambda n: plan.models[n].size)
    ladder = plan.ladder
    floor = ladder.index(strong)
    cutoffs = list(block.get("cutoffs") or ladder[:floor])
    too_big = [c for c in cutoffs if c not in ladder or ladder.index(c) >= floor]
    if too_big:
        raise ConfigError(f"{WHERE}: easy_to_hard.cutoffs {too_big} must be models of the experiment smaller than the student "
                          f"'{strong}' (the ladder: {', '.join(ladder)}).")
    if not cutoffs:
        raise ConfigError(f"{WHERE}: easy_to_hard needs a model smaller than the student '{strong}' to define easy examples.")
    return EasyToHardPlan(strong=strong, weak=weak, ladder=ladder, cutoffs=cutoffs, hard_floor=floor,
                          difficulty_seeds=list(range(int(block["difficulty_seeds"]))), folds=int(block["folds"]),
                          train_size=block["train_size"], datasets=list(plan.datasets), seeds=list(plan.seeds))

"""The reward-modelling family's plan: the config's comparison datasets (``DatasetSpec.pairs``). It has
no config block and adds no rules: a comparison dataset is trained and scored by the core's rules
(``summary.csv`` marks its cells ``task = pairs``); the plan switches on its figure.

This module imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import FamilyPlan


@dataclass
class RewardModellingPlan(FamilyPlan):
    pair_datasets: list[str]  # the comparison datasets, in the config's order

    @property
    def needs(self) -> set[str]:
        return {"reward_modelling"}

    def figure_context(self, figure: str) -> dict:
        return {"pair_datasets": self.pair_datasets}


def reward_modelling_plan(config: dict, plan) -> RewardModellingPlan | None:
    """A plan when the config has comparison datasets; None without any."""
    pairs = [name for name, spec in plan.datasets.items() if spec.pairs]
    return RewardModellingPlan(pairs) if pairs else None

"""The GFT family's plan: the experiment's models with a ``gft`` block (``models.<name>.gft``, options and
defaults in the core schema, where a model's options are), the adapter files their features read, and
the model each adapter is trained for. What the training does: ``steps.py``.

This module imports no torch: the workflow reads ``gft_plan`` to build its DAG.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import ConfigError
from ...regimes import REGIMES
from .. import FamilyPlan

WHERE = "config/config.yaml"


@dataclass
class GftPlan(FamilyPlan):
    models: dict  # features key (a GFT backbone's name) -> the first model of the config with it (ModelSpec)

    @property
    def keys(self) -> list[str]:
        return list(self.models)

    def adapter(self, dataset: str, key: str) -> str:
        return f"results/gft/{dataset}/{key}.safetensors"

    def model(self, key: str):
        """A model of the plan with these GFT options (the adapter is shared by models that differ only in
        layer or length)."""
        if key not in self.models:
            raise ValueError(f"no model in the config has GFT backbone {key}")
        return self.models[key]

    def features_inputs(self, dataset: str, models: list) -> dict:
        first = models[0] if models else None
        return {"adapter": self.adapter(dataset, first.features_key)} if first is not None and first.gft else {}


def gft_plan(config: dict, plan) -> GftPlan | None:
    """A plan when a model of the config has a ``gft`` block; None otherwise. A GFT backbone is read
    through cached features: a regime that trains the model itself cannot use one yet."""
    models = {}
    for name, spec in plan.models.items():
        if not spec.gft:
            continue
        if not REGIMES[plan.regime].on_features and name in [*plan.weak, *plan.strong]:
            raise ConfigError(f"{WHERE}: models.{name}.gft: a GFT backbone is read through cached features; regime "
                              f"'{plan.regime}' trains the model itself, which does not load GFT adapters yet. Use linear_probe.")
        models.setdefault(spec.features_key, spec)
    return GftPlan(models) if models else None

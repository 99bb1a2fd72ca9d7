"""The prompting baselines' plan: the ``prompting`` block checked against the core plan, and the paths
its rule makes (``PromptingPlan``). How a decoder is prompted: ``steps.py``.

This module imports no torch: the workflow reads ``prompting_plan`` to build its DAG.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ...config_schema import with_schema_defaults
from .. import FamilyPlan

SCHEMA = Path(__file__).with_name("schema.yaml")

MODES = ("zero_shot", "few_shot_gt", "few_shot_weak")


@dataclass(frozen=True)
class PromptingPlan(FamilyPlan):
    models: list[str]
    datasets: list[str]
    weak: str
    k: int
    test_size: int | None
    batch_size: int = 16
    max_length: int = 256

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def needs(self) -> set[str]:
        return {"prompting"}

    def outputs(self, dataset: str, model: str) -> list[str]:
        return [f"results/prompting/{dataset}/{model}/{mode}.parquet" for mode in MODES]

    def summary_cells(self, plan) -> list[dict]:
        """Each prompted decoder in each mode, as a cell: its weak model is the one whose labels the
        few-shot (weak) prompts show, its ceiling the decoder's own (supervisor ``prompting``)."""
        return [plan.summary_cell(d, self.weak, m, mode, supervisor="prompting", student=f"results/prompting/{d}/{m}/{mode}.parquet",
                                  curves=[])
                for d in self.datasets for m in self.models for mode in MODES]

    def figure_context(self, figure: str) -> dict:
        return {"prompting": self.to_dict()}


def prompting_plan(config: dict, plan) -> PromptingPlan | None:
    """The ``prompting`` block of the config, checked against the experiment; None without one."""
    from ...errors import ConfigError

    block = config.get("prompting")
    if block is None:
        return None
    block = with_schema_defaults(block, SCHEMA)  # defaults live in the schema alone
    where = "config/config.yaml: prompting"
    models = list(block["models"])
    for name in models:
        if name not in plan.models:
            raise ConfigError(f"{where}.models: '{name}' is not under 'models'; add it there.")
        if plan.models[name].backbone.arch != "decoder":
            raise ConfigError(f"{where}.models: '{name}' is an {plan.models[name].backbone.arch}; only decoders are prompted.")
        if name not in plan.strong:
            raise ConfigError(f"{where}.models: '{name}' is not in experiment.strong; add it there (its ceiling and its "
                              "weak-to-strong student are what prompting is compared with).")
    weak = block.get("weak") or min(plan.weak, key=lambda n: plan.models[n].size)
    if weak not in plan.weak:
        raise ConfigError(f"{where}.weak: '{weak}' is not in experiment.weak ({', '.join(plan.weak)}).")
    datasets = list(block.get("datasets") or [d for d in plan.datasets if not plan.datasets[d].pairs])
    for d in datasets:
        if d not in plan.datasets:
            raise ConfigError(f"{where}.datasets: '{d}' is not under 'datasets' ({', '.join(plan.datasets)}).")
        if plan.datasets[d].pairs:
            raise ConfigError(f"{where}.datasets: '{d}' is a comparison (reward-modelling) dataset; prompting answers one text.")
    return PromptingPlan(models, datasets, weak, int(block["k"]), block.get("test_size"), int(block["batch_size"]),
                         int(block["max_length"]))

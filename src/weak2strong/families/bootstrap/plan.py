"""The bootstrapping family's plan: the ``bootstrap`` block checked against the core plan (each chain
of the experiment's models, smallest first; its students' loss), and the paths its rule makes. What a
chain does: ``steps.py``.

This module imports no torch: the workflow reads ``bootstrap_plan`` to build its DAG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...config_schema import with_schema_defaults
from ...errors import ConfigError
from ...losses import LOSSES
from ...models.registry import check_chain
from ...names import checked_name
from .. import FamilyPlan

SCHEMA = Path(__file__).with_name("schema.yaml")
WHERE = "config/config.yaml"


@dataclass
class BootstrapPlan(FamilyPlan):
    chains: dict[str, list[str]]  # name -> the experiment's models, smallest first
    loss: str  # the students' loss along a chain and for direct W -> S
    datasets: list[str]
    regime: str

    @property
    def needs(self) -> set[str]:
        return {"bootstrap"} if self.chains else set()

    def student_losses(self) -> list[str]:
        return [self.loss]

    def models_used(self, dataset: str) -> set[str]:
        return {name for chain in self.chains.values() for name in chain}

    def flops(self, dataset: str, tokens: dict, params: dict, seeds: int, epochs: float, train_factor, sizes: dict) -> dict:
        """Each rung trained on its chunk of train_b (the first on train_a) and predicting test and the
        next chunk; direct W -> S and the ceiling on the last chunk."""
        a, b, t = sizes["train_a"], sizes["train_b"], sizes["test"]
        train = predict = 0.0
        for chain in self.chains.values():
            chunk = b / (len(chain) - 1)
            first = chain[0]
            train += seeds * train_factor(first) * params[first] * tokens[first] * a * epochs
            predict += seeds * 2 * params[first] * tokens[first] * (t + 2 * chunk)
            for rung in chain[1:]:
                train += seeds * train_factor(rung) * params[rung] * tokens[rung] * chunk * epochs
                predict += seeds * 2 * params[rung] * tokens[rung] * (t + chunk)
            last = chain[-1]  # direct W -> S and the ceiling on the last chunk
            train += seeds * 2 * train_factor(last) * params[last] * tokens[last] * chunk * epochs
            predict += seeds * 2 * 2 * params[last] * tokens[last] * t
        return {"bootstrap_chain": [train, predict]} if self.chains else {}

    def output(self, dataset: str, chain: str) -> str:
        return f"results/bootstrap/{self.regime}/{dataset}/{chain}.parquet"

    def targets(self, plan) -> list[str]:
        return [self.output(d, c) for d in self.datasets for c in self.chains]

    def figure_inputs(self) -> dict:
        return {"bootstrap": self.targets(None)}  # its targets are the chains' tables, which the figure draws

    def inputs(self, plan, dataset: str, chain: str) -> dict:
        """A chain's job reads every seed's split and, per model of the chain, its cached features (a
        regime on features) or its files (a regime that trains the model)."""
        names = self.chains[chain]
        inputs = {"splits": [f"results/data/{dataset}/splits/seed{s}.parquet" for s in plan.seeds]}
        if plan.on_features:
            inputs["features"] = [plan.features_file(dataset, n) for n in names]
        else:
            inputs["models"] = sorted({f for n in names for f in plan.model_files(n)})
        return inputs


def bootstrap_plan(config: dict, plan) -> BootstrapPlan | None:
    """The ``bootstrap`` block, checked: safe chain names, a known loss, each chain of the experiment's
    models growing in size; None without one."""
    block = config.get("bootstrap")
    if block is None:
        return None
    block = with_schema_defaults(block, SCHEMA)  # defaults live in the schema alone
    chains = dict(block.get("chains") or {})
    for name in chains:
        checked_name(name, f"{WHERE}: bootstrap.chains.{name}")
    checked_name(block["loss"], f"{WHERE}: bootstrap.loss")
    if block["loss"] not in LOSSES:
        raise ConfigError(f"{WHERE}: bootstrap.loss: unknown loss '{block['loss']}' (known: {', '.join(LOSSES)}).")
    for name, names in chains.items():
        check_chain(names, plan.models, f"{WHERE}: bootstrap.chains.{name}")
    return BootstrapPlan(chains={name: list(names) for name, names in chains.items()}, loss=block["loss"], datasets=list(plan.datasets),
                         regime=plan.regime)

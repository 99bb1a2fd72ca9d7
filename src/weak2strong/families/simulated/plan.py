"""The simulated supervisors' plan: the ``simulated`` block checked against the core plan, each
supervisor's options and the paths its rules make (``SimulatedPlan``). What each kind of supervisor
is and does: ``steps.py``.

This module imports no torch, numpy or pandas: the workflow reads ``simulated_plan`` to build its DAG.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ...config_schema import with_schema_defaults
from ...errors import ConfigError
from .. import FamilyPlan

SCHEMA = Path(__file__).with_name("schema.yaml")

KINDS = ("feature_subset", "random_noise", "confident_wrong", "length_flips", "length_bias")
FLIPS = ("random_noise", "confident_wrong", "length_flips")  # the kinds that flip ground truth at a rate
AT_A_RATE = (*FLIPS, "length_bias")  # the kinds configured by a rate (fixed or matched): flips and the biased labeller
ON_FEATURES = ("feature_subset", "length_bias")  # the kinds that read the student's features
LABELLED_SPLITS = ("train_b", "test")  # what a weak supervisor labels (as experiment.weak_labels)


@dataclass(frozen=True)
class Supervisor:
    name: str
    kind: str  # one of KINDS
    k: int | None = None  # feature_subset: coordinates it sees
    rate: float | None = None  # random_noise / confident_wrong: a fixed flip rate ...
    matched_to: str | None = None  # ... or the feature_subset supervisor whose error rate it copies
    confidence: float | None = None  # confident_wrong: |2p - 1| of its flipped labels
    group: str = ""  # supervisors compared at one accuracy share a group ("k4", "rate0.2")
    labels: str = "hard"  # "hard": 0/1 labels (the paper's); "soft": each kind's probabilities; "soft_equal": equal mean confidence

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SimulatedPlan(FamilyPlan):
    student: str  # the strong model every simulated supervisor teaches
    supervisors: dict[str, Supervisor]
    losses: list[str]
    datasets: list[str]

    def cells(self) -> list[tuple[str, str, str, str]]:
        """(dataset, supervisor, student, loss) of every simulated student."""
        return [(d, s, self.student, loss) for d in self.datasets for s in self.supervisors for loss in self.losses]

    @property
    def needs(self) -> set[str]:
        return {"simulated"}

    def summary_cells(self, plan) -> list[dict]:
        """Every simulated student, in the form of the trained ones (``supervisor``: its kind)."""
        return [plan.summary_cell(d, sup, strong, loss, supervisor=self.supervisors[sup].kind) for d, sup, strong, loss in self.cells()]

    def targets(self, plan) -> list[str]:
        return [path for c in self.summary_cells(plan) for path in (c["labels"], c["student"], *c["curves"])]

    def figure_context(self, figure: str) -> dict:
        return {"supervisors": {name: s.to_dict() for name, s in self.supervisors.items()}}

    def inputs(self, plan, dataset: str, supervisor: str) -> dict:
        """A supervisor's splits, the student's features (feature_subset) and the labels of the
        supervisor whose error rate it copies (matched)."""
        sup = self.supervisors[supervisor]
        inputs = {"splits": [f"results/data/{dataset}/splits/seed{s}.parquet" for s in plan.seeds]}
        if sup.kind in ON_FEATURES:
            inputs["features"] = plan.features_file(dataset, self.student)
        if sup.matched_to:
            inputs["matched"] = f"results/labels/{plan.regime}/{dataset}/{sup.matched_to}.parquet"
        return inputs


def simulated_plan(config: dict, plan) -> SimulatedPlan | None:
    """The ``simulated`` block of the config, its supervisors named and checked; None without one."""
    block = config.get("simulated")
    if block is None:
        return None
    if not plan.on_features:
        plan.warnings.append(f"simulated supervisors are skipped: their feature_subset probes and students train on cached features, "
                             f"and regime '{plan.regime}' trains the model itself (run them with a regime on features, e.g. linear_probe).")
        return None
    where = "config/config.yaml: simulated"
    block = with_schema_defaults(block, SCHEMA)  # defaults live in the schema alone
    student = block.get("student") or max(plan.strong, key=lambda n: plan.models[n].size)
    if student not in plan.strong:
        raise ConfigError(f"{where}.student: '{student}' is not in experiment.strong ({', '.join(plan.strong)}).")
    datasets = list(block.get("datasets") or plan.datasets)
    unknown = [d for d in datasets if d not in plan.datasets]
    if unknown:
        raise ConfigError(f"{where}.datasets: {unknown} are not under 'datasets' ({', '.join(plan.datasets)}).")
    losses = list(block["losses"])
    missing = [loss for loss in losses if loss not in plan.losses and loss != "xent"]
    if missing:
        raise ConfigError(f"{where}.losses: {missing} are not in experiment.losses ({', '.join(plan.losses)}); add them there.")
    labels = block["labels"]
    if labels not in ("hard", "soft", "soft_equal"):
        raise ConfigError(f"{where}.labels: '{labels}' is not hard, soft or soft_equal.")
    if labels != "soft" and block.get("confident_wrong") is not None:
        raise ConfigError(f"{where}.confident_wrong: with {labels} labels it is random_noise under another name (the two differ only "
                          "in the confidence of their labels); set simulated.labels: soft to compare them, or remove confident_wrong.")
    supervisors: dict[str, Supervisor] = {}
    for k in (block.get("feature_subset") or {}).get("k", []):
        supervisors[f"feature_subset_k{k}"] = Supervisor(f"feature_subset_k{k}", "feature_subset", k=int(k), group=f"k{k}",
                                                         labels=labels)
    for kind in AT_A_RATE:
        options = block.get(kind)
        if options is None:
            continue
        confidence = float(options["confidence"]) if kind == "confident_wrong" else None
        if options["matched"]:
            for fs in [s for s in list(supervisors.values()) if s.kind == "feature_subset"]:
                name = f"{kind}_{fs.group}"
                supervisors[name] = Supervisor(name, kind, matched_to=fs.name, confidence=confidence, group=fs.group, labels=labels)
        for rate in options.get("rates", []):
            name = f"{kind}_rate{rate:g}"
            supervisors[name] = Supervisor(name, kind, rate=float(rate), confidence=confidence, group=f"rate{rate:g}", labels=labels)
    if not supervisors:
        raise ConfigError(f"{where}: no supervisor: give feature_subset.k (and random_noise / confident_wrong to compare at its "
                          "accuracy), or rates under random_noise or confident_wrong.")
    clash = sorted(set(supervisors) & set(plan.models))
    if clash:
        raise ConfigError(f"{where}: supervisor names {clash} are also model names under 'models'; rename those models.")
    return SimulatedPlan(student, supervisors, losses, datasets)

"""The core config's own blocks as typed options, one frozen dataclass each: ``experiment``,
``features``, ``metrics`` and ``figures``. (A regime's block is ``training.loop.TrainConfig`` with
its options class, built by ``experiment.regime_from_params``; a family's block is its plan.)

Defaults live in the core schema alone (``config_schema.block_defaults``): an instance built in code,
one from a block Snakemake validated and one from a block nobody validated (a test's, a script's) are
the same. ``Plan`` builds one of each with ``from_config``; rules read them through the plan. This
module imports no torch.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from .config_schema import block_defaults
from .errors import ConfigError

_FEATURES = block_defaults("features")
_METRICS = block_defaults("metrics")
_FIGURES = block_defaults("figures")


def _build(cls, block: dict, section: str):
    """``cls`` from a config block, naming the block's key that no field takes (the schema refuses it
    first where Snakemake validates; a config built in code gets the same refusal here)."""
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(block) - set(known))
    if unknown:
        raise ConfigError(f"config/config.yaml: {section}: unknown option(s) {unknown}; {section} takes {known}.")
    return cls(**block)


@dataclass(frozen=True)
class ExperimentOptions:
    """The core experiment: its regime (``regimes.REGIMES``), weak and strong models (names under
    ``models``) and student methods (``losses.LOSSES``); ``plan.build_plan`` checks the names."""

    regime: str
    weak: tuple[str, ...]
    strong: tuple[str, ...]
    losses: tuple[str, ...]
    seeds_in_one_job: bool | None = None  # None: as the regime's kind says (Plan.seeds_in_one_job)

    @classmethod
    def from_config(cls, config: dict) -> ExperimentOptions:
        block = dict(config["experiment"])
        for role in ("weak", "strong", "losses"):
            block[role] = tuple(block.get(role) or ())
        return _build(cls, block, "experiment")


@dataclass(frozen=True)
class FeaturesOptions:
    """How cached features are read: the window (tokens) a model reads unless it sets its own, and
    the texts per forward pass."""

    max_length: int = _FEATURES["max_length"]
    batch_size: int = _FEATURES["batch_size"]

    @classmethod
    def from_config(cls, config: dict) -> FeaturesOptions:
        return _build(cls, dict(config.get("features") or {}), "features")


@dataclass(frozen=True)
class MetricsOptions:
    """The intervals' level and the floors below which a seed's supervision is degenerate: the seed is
    kept and flagged in tables and figures (``flags``)."""

    ci_level: float = _METRICS["ci_level"]
    min_weak_confidence: float = _METRICS["min_weak_confidence"]
    min_kept_fraction: float = _METRICS["min_kept_fraction"]

    @classmethod
    def from_config(cls, config: dict) -> MetricsOptions:
        return _build(cls, dict(config.get("metrics") or {}), "metrics")

    def as_params(self) -> dict:
        """What the metrics jobs get as ``params.metrics``."""
        return asdict(self)

    def flags(self, row: dict) -> dict[str, bool]:
        """A seed's degenerate-supervision flags: weak labels near 0.5, a loss that kept few labels."""
        kept = row.get("kept_fraction", float("nan"))
        return {
            "weak_degenerate": bool(row["weak_confidence"] < self.min_weak_confidence),
            "few_labels_kept": bool(not math.isnan(kept) and kept < self.min_kept_fraction),
        }


@dataclass(frozen=True)
class FiguresOptions:
    """The options every figure shares (``dpi``, ``format``) and each figure's own block
    (``figures.<name>``: ``own[name]``), so an option of one figure reruns that figure alone."""

    dpi: int = _FIGURES["dpi"]
    format: str = _FIGURES["format"]
    own: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: dict) -> FiguresOptions:
        block = dict(config.get("figures") or {})
        own = {name: dict(opts) for name, opts in block.items() if isinstance(opts, dict)}
        shared = {key: value for key, value in block.items() if not isinstance(value, dict)}
        return _build(cls, {**shared, "own": own}, "figures")

    def of(self, name: str) -> dict:
        """Figure ``name``'s options as its job gets them: the shared ones, then its own block."""
        return {"dpi": self.dpi, "format": self.format, **self.own.get(name, {})}

"""From the validated config to the experiment plan: specs, seeds and the cells to run.

The workflow's ``common.smk`` builds a ``Plan`` once; every rule's inputs and params come from it.
Cross-references the JSON schema cannot check (a weak model that is not in ``models``) are checked
here, before any job runs, with the key and the fix in the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from .data.registry import DatasetSpec, resolve_dataset
from .errors import ConfigError
from .losses import LOSSES
from .models.registry import ModelSpec, resolve_model

# Hardware options that are training options (the others, gpus and device_map, say where it runs).
TRAIN_HARDWARE_KEYS = ("bf16", "grad_checkpointing", "grad_accum", "micro_batch_size")
# LoRA options a model may set for itself (rank and targets differ by model family and size).
MODEL_LORA_KEYS = ("lora_r", "lora_alpha", "lora_target_modules")


@dataclass(frozen=True)
class Cell:
    dataset: str
    weak: str
    strong: str
    loss: str


@dataclass
class Plan:
    config: dict
    datasets: dict[str, DatasetSpec]
    models: dict[str, ModelSpec]
    seeds: list[int]
    regime: str
    weak: list[str]
    strong: list[str]
    losses: list[str]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(weak, strong) pairs where the weak model is smaller than the strong one."""
        return [(w, s) for w, s in product(self.weak, self.strong) if w != s and self.models[w].size < self.models[s].size]

    @property
    def cells(self) -> list[Cell]:
        return [Cell(d, w, s, loss) for d in self.datasets for (w, s) in self.pairs for loss in self.losses]

    def dataset_options(self, dataset: str) -> dict:
        return self.config["datasets"][dataset]

    def regime_options(self) -> dict:
        return dict(self.config["regimes"].get(self.regime, {}))

    @property
    def chains(self) -> dict[str, list[str]]:
        return dict((self.config.get("bootstrap") or {}).get("chains", {}))

    def hardware(self, name: str) -> dict:
        """How model ``name`` runs on devices: the ``hardware`` entries whose ``min_params`` its size
        reaches (in order, later ones win), then the model's own ``hardware`` block."""
        size = self.models[name].size
        out: dict = {}
        for entry in self.config.get("hardware") or []:
            if size >= entry.get("min_params", 0):
                out.update({k: v for k, v in entry.items() if k != "min_params"})
        out.update((self.config["models"][name] or {}).get("hardware") or {})
        return out

    def truncation(self, dataset: str) -> str:
        """The side a text of ``dataset`` longer than a model's window is cut from: the config's
        ``truncation``, else the registry's (left for passage-first templates: the question stays)."""
        return self.dataset_options(dataset).get("truncation") or self.datasets[dataset].truncation

    def train_options(self, name: str, dataset: str | None = None) -> dict:
        """What a training job of model ``name`` (on ``dataset``) gets as ``params.regime``: the
        regime's options, the model's own ``lr`` if it sets one and, when fine-tuning, its hardware's
        training options and the dataset's truncation side. Linear probes train on cached
        features, where neither applies."""
        options = {"name": self.regime, **self.regime_options()}
        if self.models[name].lr is not None:
            options["lr"] = self.models[name].lr
        if self.regime != "linear_probe":
            options.update({k: v for k, v in self.hardware(name).items() if k in TRAIN_HARDWARE_KEYS})
            if dataset is not None:
                options["truncation"] = self.truncation(dataset)
        if self.regime == "lora":
            own = self.config["models"][name] or {}
            options.update({k: own[k] for k in MODEL_LORA_KEYS if k in own})
        return options

    def metrics_options(self) -> dict:
        """The interval level and the floors of the degenerate-supervision diagnostics."""
        defaults = {"ci_level": 0.95, "min_weak_confidence": 0.05, "min_kept_fraction": 0.05}
        return defaults | dict(self.config.get("metrics") or {})

    def processes(self, name: str) -> int:
        """Processes (one per GPU) that train model ``name`` in one job: its hardware's ``gpus``."""
        return 1 if self.regime == "linear_probe" else int(self.hardware(name).get("gpus", 1))

    def loss_options(self, loss: str, strong: str | None = None) -> dict:
        """A loss's options; ``alpha_max: auto`` (logconf) becomes the paper's 0.75 for the largest
        strong model of the experiment and 0.5 for the others."""
        options = dict((self.config.get("losses") or {}).get(loss) or {})
        if options.get("alpha_max") == "auto":
            largest = max(self.strong, key=lambda s: self.models[s].size)
            options["alpha_max"] = 0.75 if strong == largest else 0.5
        return options


def check_loss_options(config: dict, where: str) -> None:
    """Every loss the config names is a method of ``losses.LOSSES``, and every block under ``losses``
    holds only that method's options (the fields of its class): a new method needs no schema entry."""
    from dataclasses import fields

    named = [("experiment.losses", loss) for loss in config["experiment"]["losses"]]
    named.append(("bootstrap.loss", (config.get("bootstrap") or {}).get("loss", "xent")))
    for key, loss in named:
        if loss not in LOSSES:
            raise ConfigError(f"{where}: {key}: unknown loss '{loss}' (known: {', '.join(LOSSES)}).")
    for loss, options in (config.get("losses") or {}).items():
        if loss not in LOSSES:
            raise ConfigError(f"{where}: losses.{loss}: no such method (known: {', '.join(LOSSES)}); "
                              "add its class to src/weak2strong/losses.py or fix the name.")
        known = {f.name for f in fields(LOSSES[loss])}
        unknown = sorted(set(options or {}) - known)
        if unknown:
            raise ConfigError(f"{where}: losses.{loss}: unknown option(s) {unknown}; {loss} takes "
                              f"{sorted(known) or 'no options'}.")


def build_plan(config: dict) -> Plan:
    where = "config/config.yaml"
    seeds = config["seeds"]
    seeds = list(range(seeds)) if isinstance(seeds, int) else sorted(seeds)
    datasets = {name: resolve_dataset(name, opts) for name, opts in config["datasets"].items()}
    models = {name: resolve_model(name, opts or {}) for name, opts in config["models"].items()}
    exp = config["experiment"]
    for role in ("weak", "strong"):
        for name in exp[role]:
            if name not in models:
                raise ConfigError(f"{where}: experiment.{role} names '{name}', which is not under 'models' (known: {', '.join(models)}); add it there.")
    check_loss_options(config, where)
    if exp["regime"] not in config["regimes"]:
        raise ConfigError(f"{where}: experiment.regime is '{exp['regime']}' but regimes.{exp['regime']} is not configured.")
    for chain, names in (config.get("bootstrap") or {}).get("chains", {}).items():
        unknown = [n for n in names if n not in models]
        if unknown:
            raise ConfigError(f"{where}: bootstrap.chains.{chain} names {unknown}, not under 'models'; add them there.")
        sizes = [models[n].size for n in names]
        if sizes != sorted(sizes) or len(set(sizes)) < len(sizes):
            raise ConfigError(f"{where}: bootstrap.chains.{chain} must go from smaller to larger models (sizes: {sizes}).")
    if (config["regimes"].get("linear_probe") or {}).get("head_lr") is not None:
        raise ConfigError(f"{where}: regimes.linear_probe.head_lr: a linear probe is all head; set its rate with lr.")
    if exp["regime"] == "linear_probe" and config["regimes"]["linear_probe"].get("lr") is None:
        raise ConfigError(f"{where}: regimes.linear_probe.lr must be a number (only fine-tuning regimes fall back to each model's own lr).")
    for figure, opts in (config.get("figures") or {}).items():
        missing = [loss for loss in (opts.get("losses") or []) if loss not in exp["losses"]] if isinstance(opts, dict) else []
        if missing:
            raise ConfigError(f"{where}: figures.{figure}.losses names {missing}, which experiment.losses does not run "
                              f"({', '.join(exp['losses'])}); add them there or drop them from the figure.")
    for name, opts in config["models"].items():
        if (opts or {}).get("head_init") == "unembedding" and exp["regime"] == "linear_probe":
            raise ConfigError(f"{where}: models.{name}.head_init: unembedding applies to fine-tuning regimes; linear probes "
                              "start from a zero head. Remove it or use regime finetune, lora or lp_ft.")
    plan = Plan(config, datasets, models, seeds, exp["regime"], list(exp["weak"]), list(exp["strong"]), list(exp["losses"]))
    if not plan.pairs:
        raise ConfigError(
            f"{where}: no (weak, strong) pair has a weak model smaller than the strong one; check experiment.weak/strong "
            f"(sizes in millions of parameters: {', '.join(f'{n}={m.size:.1f}' for n, m in models.items())})."
        )
    for d, opts in config["datasets"].items():
        sizes = opts["split_sizes"]
        cap = opts.get("max_examples")
        if cap is not None and cap < sum(sizes.values()):
            raise ConfigError(f"{where}: datasets.{d}: max_examples ({cap}) is smaller than the split sizes together ({sum(sizes.values())}).")
    return plan

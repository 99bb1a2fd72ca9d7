"""From the validated config to the experiment plan: specs, seeds and the cells to run.

The workflow's ``common.smk`` builds a ``Plan`` once; every rule's inputs and params come from it.
Cross-references the JSON schema cannot check (a weak model that is not in ``models``) are checked
here, before any job runs, with the key and the fix in the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from .blocks import ExperimentOptions, FeaturesOptions, FiguresOptions, MetricsOptions
from .config_schema import CORE_SCHEMA, fill_defaults, read_schema
from .data.registry import DatasetSpec, resolve_dataset
from .errors import ConfigError
from .families import FamilyPlan
from .families.registry import FAMILIES, FIGURES
from .losses import LOSSES
from .models.registry import ModelSpec, resolve_model
from .names import checked_name, path_of
from .regimes import REGIMES, options_class
from .registry import load
from .training.options import LoraOptions, field_names, resolve_rates

# Hardware options that are training options (the others, gpus and device_map, say where it runs).
TRAIN_HARDWARE_KEYS = ("bf16", "grad_checkpointing", "grad_accum", "micro_batch_size")
# LoRA options a model may set for itself (rank and targets differ by model family and size).
MODEL_LORA_KEYS = tuple(sorted(field_names(LoraOptions)))


def _schema() -> dict:
    return read_schema(CORE_SCHEMA)


def schema_default(key: str):
    """The default the config schema gives top-level key ``key``."""
    return _schema()["properties"][key]["default"]


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
    # the core's blocks, typed (blocks.py: defaults from the schema alone)
    experiment: ExperimentOptions
    features: FeaturesOptions = field(default_factory=FeaturesOptions)
    metrics: MetricsOptions = field(default_factory=MetricsOptions)
    figures: FiguresOptions = field(default_factory=FiguresOptions)
    warnings: list[str] = field(default_factory=list)  # printed before the jobs run
    # each family's plan (families/registry.py: FAMILIES) whose block the config has, in the table's order
    families: dict[str, FamilyPlan] = field(default_factory=dict)

    @property
    def regime(self) -> str:
        return self.experiment.regime

    @property
    def weak(self) -> list[str]:
        return list(self.experiment.weak)

    @property
    def strong(self) -> list[str]:
        return list(self.experiment.strong)

    @property
    def losses(self) -> list[str]:
        return list(self.experiment.losses)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(weak, strong) pairs where the weak model is smaller than the strong one."""
        return [(w, s) for w, s in product(self.weak, self.strong) if w != s and self.models[w].size < self.models[s].size]

    @property
    def cells(self) -> list[Cell]:
        return [Cell(d, w, s, loss) for d in self.datasets for (w, s) in self.pairs for loss in self.losses]

    @property
    def on_features(self) -> bool:
        """Does the regime train on cached features (cheap: one CPU job runs every seed of a cell)
        rather than on the model itself (one GPU job per seed)?"""
        return REGIMES[self.regime].on_features

    @property
    def seeds_in_one_job(self) -> bool:
        """Does one job train every seed of a cell? Linear probes: yes (milliseconds a seed, so Python
        and torch start once). Training the model itself: one job per seed (it reruns alone and a
        cluster runs seeds in parallel), unless ``experiment.seeds_in_one_job`` says so: then the
        process start, the imports and the GPU's warm-up (allocator, kernel choice: the first
        cell of a process ran 2.9× slower than the next) are paid once per cell."""
        own = self.experiment.seeds_in_one_job
        return self.on_features if own is None else own

    # ---- the files of a cell (the rules, the metrics and the families' summary cells share them) ----

    @property
    def per_seed_jobs(self) -> bool:
        return not self.seeds_in_one_job

    @staticmethod
    def student_cell(c: Cell) -> str:
        return f"{c.dataset}/student/{c.weak}/{c.strong}/{c.loss}"

    def curves_files(self, cell: str) -> list[str]:
        """The training-curve files (JSON keyed by seed) of a cell: one per cell, or one per seed."""
        if self.per_seed_jobs:
            return [f"results/per_seed/training/{self.regime}/{cell}/seed{s}.json" for s in self.seeds]
        return [f"results/training/{self.regime}/{cell}.json"]

    def cell_files(self, c: Cell) -> dict:
        """A cell with the files (each holding every seed) its metrics are computed from: the weak
        labels, the ceiling's and the student's predictions, and the student's training curves (the
        fraction of weak labels its loss kept). A family's summary cells take this form."""
        student = self.student_cell(c)
        return {
            "dataset": c.dataset, "weak": c.weak, "strong": c.strong, "loss": c.loss, "supervisor": "trained",
            "task": "pairs" if self.datasets[c.dataset].pairs else "classification",
            "labels": f"results/labels/{self.regime}/{c.dataset}/{c.weak}.parquet",
            "ceiling": f"results/predictions/{self.regime}/{c.dataset}/ceiling/{c.strong}.parquet",
            "student": f"results/predictions/{self.regime}/{student}.parquet",
            "curves": self.curves_files(student),
        }

    def summary_cell(self, dataset: str, weak: str, strong: str, loss: str, **overrides) -> dict:
        """A family's cell of the summary: ``cell_files`` of (dataset, weak, strong, loss), with the
        family's ``supervisor`` kind and any file it writes itself."""
        return self.cell_files(Cell(dataset, weak, strong, loss)) | overrides

    # ---- values the rules read (the plan is their one door to the config; defaults: the schema's, else here) ----

    @property
    def resources_dir(self) -> str:
        return self.config.get("resources_dir") or "resources"

    @property
    def data_seed(self) -> int:
        return int(self.config.get("data_seed", schema_default("data_seed")))

    def read_length(self, name: str) -> int:
        """Tokens model ``name`` reads: its own ``max_length``, else the run's (``features.max_length``)."""
        return self.models[name].max_length or self.features.max_length

    def features_file(self, dataset: str, name: str) -> str:
        """The cached features model ``name`` reads on ``dataset``: one file per (backbone, layer, length)."""
        m = self.models[name]
        return path_of("results/features", dataset, m.features_key, f"layer{m.layer}-len{self.read_length(name)}.safetensors",
                       where=f"the features of models.{name}")

    def model_files(self, name: str) -> list[str]:
        """The fetched files a packaged model needs (hub models: none, they load by id)."""
        b = self.models[name].backbone
        return [f"{self.resources_dir}/{path_of('models', b.name, where=f'models.{name}')}"] if b.source == "packaged" else []

    @property
    def early_stopping(self) -> str:
        return self.regime_options()["early_stopping"]

    def slurm_partition(self, gpus: int) -> str:
        """The cluster partition of a job asking for ``gpus`` GPUs (``slurm_partitions``, which the
        SLURM profile sets): a job that needs no GPU never waits in the GPU queue."""
        partitions = {"cpu": "cpu", "gpu": "gpu", **(self.config.get("slurm_partitions") or {})}
        return partitions["gpu" if gpus else "cpu"]

    def dataset_options(self, dataset: str) -> dict:
        return self.config["datasets"][dataset]

    def regime_options(self) -> dict:
        """The regime's block with the defaults the schema gives it (Snakemake's validation has filled them
        in already; a config it did not validate, a test's or a script's, gets the same)."""
        block = {self.regime: dict(self.config["regimes"].get(self.regime) or {})}
        return fill_defaults(block, _schema()["properties"]["regimes"], root=_schema())[self.regime]

    @property
    def ladder(self) -> list[str]:
        """The experiment's models from small to large (weak and strong, once each)."""
        return sorted(dict.fromkeys([*self.weak, *self.strong]), key=lambda n: self.models[n].size)

    @property
    def needs(self) -> set[str]:
        """The families the config switches on (figures.FigureSpec.needs)."""
        return set().union(*(family.needs for family in self.families.values()))

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
        training options, the dataset's truncation side and the rates resolved (``lr: null``: the
        model's fine-tuning rate; ``head_lr: auto``: its own head rate). Linear probes train on cached
        features, where none of these applies."""
        options = {"name": self.regime, **self.regime_options()}
        if self.models[name].lr is not None:
            options["lr"] = self.models[name].lr
        if not self.on_features:
            options.update({k: v for k, v in self.hardware(name).items() if k in TRAIN_HARDWARE_KEYS})
            options.setdefault("max_length", self.features.max_length)
            if dataset is not None:
                options["truncation"] = self.truncation(dataset)
        if options_class(self.regime) is LoraOptions:  # a model may set its own adapters' rank and targets
            own = self.config["models"][name] or {}
            options.update({k: own[k] for k in MODEL_LORA_KEYS if k in own})
        return options if self.on_features else resolve_rates(options, self.models[name])  # lr null, head_lr auto

    def processes(self, name: str) -> int:
        """Processes (one per GPU) that train model ``name`` in one job: its hardware's ``gpus``."""
        return 1 if self.on_features else int(self.hardware(name).get("gpus", 1))

    def loss_options(self, loss: str, strong: str | None = None) -> dict:
        """A loss's options, resolved by its class where it defines ``resolve`` (logconf's ``alpha_max:
        auto`` depends on whether ``strong`` is the experiment's largest strong model)."""
        options = dict((self.config.get("losses") or {}).get(loss) or {})
        resolve = getattr(LOSSES.get(loss), "resolve", None)
        if resolve is not None:
            largest = max(self.strong, key=lambda s: self.models[s].size)
            options = resolve(options, largest_strong=strong == largest)
        return options


def check_loss_options(config: dict, where: str) -> None:
    """Every loss the config names is a method of ``losses.LOSSES``, and every block under ``losses``
    holds only that method's options (the fields of its class): a new method needs no schema entry."""
    from dataclasses import fields

    named = [("experiment.losses", loss) for loss in config["experiment"]["losses"]]
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


def check_names(config: dict, where: str) -> None:
    """Every name the config gives that becomes part of a path is a safe folder name (names.py)."""
    named = [(f"datasets.{d}", d) for d in config["datasets"]]
    for m, opts in config["models"].items():
        named += [(f"models.{m}", m), (f"models.{m}.backbone", (opts or {}).get("backbone", m))]
    named += [(f"experiment.{role}", n) for role in ("weak", "strong", "losses") for n in config["experiment"].get(role, [])]
    named += [(f"losses.{loss}", loss) for loss in config.get("losses") or {}]
    named += [(f"figures.{f}", f) for f, opts in (config.get("figures") or {}).items() if isinstance(opts, dict)]
    for key, value in named:
        checked_name(value, f"{where}: {key}")


def build_plan(config: dict) -> Plan:
    where = "config/config.yaml"
    check_names(config, where)
    seeds = config["seeds"]
    seeds = list(range(seeds)) if isinstance(seeds, int) else sorted(seeds)
    datasets = {name: resolve_dataset(name, opts) for name, opts in config["datasets"].items()}
    models = {name: resolve_model(name, opts or {}) for name, opts in config["models"].items()}
    exp = ExperimentOptions.from_config(config)  # the core blocks, typed once (blocks.py)
    for role in ("weak", "strong"):
        for name in getattr(exp, role):
            if name not in models:
                raise ConfigError(f"{where}: experiment.{role} names '{name}', which is not under 'models' "
                                  f"(known: {', '.join(models)}); add it there.")
    check_loss_options(config, where)
    if exp.regime not in REGIMES:
        raise ConfigError(f"{where}: experiment.regime: unknown regime '{exp.regime}' (known: {', '.join(REGIMES)}).")
    unknown = sorted(set(config["regimes"]) - set(REGIMES))
    if unknown:
        raise ConfigError(f"{where}: regimes: {unknown} are not regimes (known: {', '.join(REGIMES)}).")
    if exp.regime not in config["regimes"]:
        raise ConfigError(f"{where}: experiment.regime is '{exp.regime}' but regimes.{exp.regime} is not configured.")
    owners = {key: other for other in REGIMES if options_class(other) for key in field_names(options_class(other))}
    for name, options in config["regimes"].items():
        stray = sorted(k for k in options or {} if k in owners and owners[k] != name)
        if stray:
            raise ConfigError(f"{where}: regimes.{name}: {stray} are options of regime {owners[stray[0]]}, which {name} does not "
                              f"read; remove them (or set experiment.regime: {owners[stray[0]]}).")
        if REGIMES[name].on_features and (options or {}).get("head_lr") is not None:
            raise ConfigError(f"{where}: regimes.{name}.head_lr: a probe on cached features is all head; set its rate with lr.")
        refuses = getattr(options_class(name), "refuses", None)  # what a regime's options class rules out of its block
        refused = refuses(options or {}) if refuses else ""
        if refused:
            raise ConfigError(f"{where}: regimes.{name}.{refused}")
    if REGIMES[exp.regime].on_features and config["regimes"][exp.regime].get("lr") is None:
        raise ConfigError(f"{where}: regimes.{exp.regime}.lr must be a number (only regimes that train the model fall back to "
                          "each model's own lr).")
    figures = FiguresOptions.from_config(config)
    for figure, opts in figures.own.items():
        if figure not in FIGURES:
            raise ConfigError(f"{where}: figures.{figure}: no such figure (known: {', '.join(FIGURES)}).")
        unknown = sorted(set(opts) - set(FIGURES[figure].options))
        if unknown:
            raise ConfigError(f"{where}: figures.{figure}: unknown option(s) {unknown}; {figure} takes {list(FIGURES[figure].options)}.")
        missing = [loss for loss in (opts.get("losses") or []) if loss not in exp.losses]
        if missing:
            raise ConfigError(f"{where}: figures.{figure}.losses names {missing}, which experiment.losses does not run "
                              f"({', '.join(exp.losses)}); add them there or drop them from the figure.")
    for name, opts in config["models"].items():
        if (opts or {}).get("head_init") == "unembedding" and REGIMES[exp.regime].on_features:
            raise ConfigError(f"{where}: models.{name}.head_init: unembedding applies to fine-tuning regimes; linear probes "
                              "start from a zero head. Remove it or use regime finetune, lora or lp_ft.")
    plan = Plan(config, datasets, models, seeds, exp, FeaturesOptions.from_config(config), MetricsOptions.from_config(config), figures)
    if not plan.pairs:
        raise ConfigError(
            f"{where}: no (weak, strong) pair has a weak model smaller than the strong one; check experiment.weak/strong "
            f"(sizes in millions of parameters: {', '.join(f'{n}={m.size:.1f}' for n, m in models.items())})."
        )
    for name, family in FAMILIES.items():
        family_plan = load(family.plan)(config, plan)
        if family_plan is not None:
            plan.families[name] = family_plan
    for d, opts in config["datasets"].items():
        sizes = opts["split_sizes"]
        cap = opts.get("max_examples")
        if cap is not None and cap < sum(sizes.values()):
            raise ConfigError(f"{where}: datasets.{d}: max_examples ({cap}) is smaller than the split sizes together "
                              f"({sum(sizes.values())}).")
    return plan

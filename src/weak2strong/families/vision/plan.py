"""The vision family's plan: the ``vision`` block of the config, checked, and the files its rules
make. Imports no torch at the top: the workflow reads it to build its DAG.

The experiment itself (Burns et al. 2023, §4.1: linear probes on frozen image features, k classes)
is in ``steps.py``; its rules in ``rules.smk``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ...config_schema import CORE_SCHEMA, fill_defaults, read_schema, with_schema_defaults
from ...errors import ConfigError
from ...names import checked_name
from .. import FamilyPlan

TABLE = "results/metrics/vision"  # .csv for readers, .parquet for the figure
SCHEMA = Path(__file__).with_name("schema.yaml")


@dataclass
class VisionPlan(FamilyPlan):
    dataset: dict
    unlabelled: int
    split_sizes: dict[str, int]
    backbones: dict[str, dict]  # VisionBackbone fields by name
    weak: list[str]
    strong: list[str]
    losses: list[str]
    n_views: int
    regime: dict  # the probes' training options: the linear_probe regime's params (experiment.regime_from_params)
    seeds: list[int]
    augment: dict  # the views' crop padding and flip

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(w, s) for w in self.weak for s in self.strong if w != s]

    @property
    def needs(self) -> set[str]:
        return {"vision"}

    def student_losses(self) -> list[str]:
        return self.losses

    # ---- the files ----

    def source(self, resources_dir: str) -> list[str]:
        """What the image pool is read from: scikit-learn's source archive (the digits), the BIG-bench
        CIFAR-10 task, a local folder or file, or nothing (a hub dataset loads by id)."""
        source = self.dataset["source"]
        if source == "sklearn_digits":
            from .images import SKLEARN_FILE

            return [f"{resources_dir}/downloads/{SKLEARN_FILE}"]
        if source == "bigbench_cifar10":
            return [f"{resources_dir}/bigbench/cifar10_classification/base64/task.json"]
        return [self.dataset["path"]] if source in ("imagefolder", "parquet") else []

    def splits(self) -> list[str]:
        return [f"results/vision/splits/seed{s}.parquet" for s in self.seeds]

    def features(self, backbone: str) -> str:
        return f"results/vision/features/{backbone}.safetensors"

    def views(self, backbone: str) -> str:
        return f"results/vision/features/{backbone}-views{self.n_views}.safetensors"

    def cells(self) -> list[str]:
        """Every training job's output: the weak probes' labels, the ceilings and the students."""
        return ([f"results/vision/labels/{w}.parquet" for w in self.weak]
                + [f"results/vision/ceiling/{s}.parquet" for s in self.strong]
                + [f"results/vision/student/{w}/{s}/{loss}.parquet" for w, s in self.pairs for loss in self.losses])

    def targets(self, plan) -> list[str]:
        out = [f"{TABLE}.csv", "results/vision/pool.parquet", *self.splits()]
        out += [self.features(b) for b in sorted({*self.weak, *self.strong})]
        if self.n_views:
            out += [self.views(b) for b in self.strong]
        return out + self.cells()

    def cell(self, role: str, cell: str) -> dict:
        """A training job from its path ``results/vision/<role>/<cell>.parquet``."""
        parts = cell.split("/")
        if role == "labels" and len(parts) == 1 and parts[0] in self.weak:
            own = self.backbones[parts[0]].get("head") == "own"  # its own predictions: no probe trained
            return {"role": "weak", "backbone": parts[0], "loss": "xent", **({"own_head": True} if own else {})}
        if role == "ceiling" and len(parts) == 1 and parts[0] in self.strong:
            return {"role": "ceiling", "backbone": parts[0], "loss": "xent"}
        if role == "student" and len(parts) == 3 and tuple(parts[:2]) in self.pairs and parts[2] in self.losses:
            return {"role": "student", "weak": parts[0], "backbone": parts[1], "loss": parts[2], "n_views": self.n_views}
        raise ValueError(f"results/vision/{role}/{cell}: not a cell of the vision block")

    def train_inputs(self, role: str, cell: str) -> dict:
        job = self.cell(role, cell)
        inputs = {"pool": "results/vision/pool.parquet", "splits": self.splits(), "features": self.features(job["backbone"])}
        if job["role"] == "student":
            inputs["labels"] = f"results/vision/labels/{job['weak']}.parquet"
            if self.n_views:
                inputs["views"] = self.views(job["backbone"])
        return inputs

    def figure_inputs(self) -> dict[str, str]:
        return {"vision": f"{TABLE}.parquet"}


# ---- backbones as declared (what backbones.py builds; checked here, without torch) ----

KINDS = ("pixels", "kmeans_patches", "hub", "torchvision")


@dataclass(frozen=True)
class VisionBackbone:
    """A backbone of the ``vision`` block, built by ``vision_backbone``: its defaults live in the
    family's schema, and an option a kind does not take is None."""

    name: str
    kind: str
    size: int  # pixels: the side it downsamples to
    centroids: int  # kmeans_patches
    patch: int
    n_patches: int  # patches k-means learns from
    iterations: int
    id: str | None  # hub: model id; torchvision: model name
    weights: str | None  # torchvision weights name
    checkpoint: str | None  # torchvision: a local state dict
    revision: str | None
    input_size: int  # hub / torchvision: images are resized to this side
    batch_size: int
    head: str  # torchvision: drop the classifier (penultimate features) or keep its own ("own")
    head_classes: tuple  # head: own: the checkpoint's class index of each dataset class

    def to_dict(self) -> dict:
        return asdict(self)


def vision_backbone(name: str, options: dict) -> VisionBackbone:
    """Backbone ``name`` of the ``vision`` block from its options, the schema's defaults filled, checked."""
    options = fill_defaults(dict(options), read_schema(SCHEMA)["properties"]["backbones"]["additionalProperties"])
    kind = options.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"config: vision.backbones.{name}.kind: '{kind}' is not one of {', '.join(KINDS)}.")
    if kind in ("hub", "torchvision") and not options.get("id"):
        raise ConfigError(f"config: vision.backbones.{name}: a {kind} backbone needs `id` (a model id or torchvision name).")
    if options["head"] == "own":
        if kind != "torchvision":
            raise ConfigError(f"config: vision.backbones.{name}.head: own: only a torchvision backbone keeps a classifier of its own.")
        if len(options.get("head_classes") or ()) < 2:
            raise ConfigError(f"config: vision.backbones.{name}.head_classes: with head: own, list the checkpoint's class index of "
                              "each of the dataset's classes (at least two), in the dataset's class order.")
    unknown = sorted(set(options) - {f.name for f in fields(VisionBackbone)})
    if unknown:
        raise ConfigError(f"config: vision.backbones.{name}: unknown option(s) {unknown}.")
    given = {f.name: options.get(f.name) for f in fields(VisionBackbone) if f.name != "name"}
    return VisionBackbone(name=name, **given | {"head_classes": tuple(options.get("head_classes") or ())})


def probe_regime(probe: dict) -> dict:
    """The probes' training options as a job's params: ``vision.probe`` is the ``linear_probe`` regime's
    block (the loop's other options at the core schema's defaults), without training dynamics."""
    regime = {"name": "linear_probe", **probe, "eval_points": 0}
    core = read_schema(CORE_SCHEMA)
    return fill_defaults(regime, core["properties"]["regimes"]["additionalProperties"], root=core)


def vision_plan(config: dict, plan) -> VisionPlan | None:
    """The ``vision`` block of the config, checked; None without one."""
    block = config.get("vision")
    if not block:
        return None
    block = with_schema_defaults(block, SCHEMA)  # defaults live in the schema alone
    from ...losses import LOSSES

    where = "config: vision"
    for name in block["backbones"]:
        checked_name(name, f"{where}.backbones.{name}")
    for loss in block["losses"]:
        checked_name(loss, f"{where}.losses")
    backbones = {name: vision_backbone(name, dict(opts)).to_dict() for name, opts in block["backbones"].items()}
    for role in ("weak", "strong"):
        unknown = [b for b in block[role] if b not in backbones]
        if unknown:
            raise ConfigError(f"{where}.{role}: {unknown} are not under vision.backbones ({', '.join(backbones)}).")
    unknown = [loss for loss in block["losses"] if loss not in LOSSES]
    if unknown:
        raise ConfigError(f"{where}.losses: unknown method(s) {unknown} (known: {', '.join(LOSSES)}).")
    out = VisionPlan(dataset=dict(block["dataset"]), unlabelled=int(block["unlabelled"]), split_sizes=dict(block["split_sizes"]),
                     backbones=backbones, weak=list(block["weak"]), strong=list(block["strong"]), losses=list(block["losses"]),
                     n_views=int(block["n_views"]),
                     regime=probe_regime(block["probe"]),
                     seeds=list(plan.seeds), augment=dict(block["augment"]))
    if not out.pairs:
        raise ConfigError(f"{where}: no (weak, strong) pair of different backbones; check vision.weak and vision.strong.")
    own = [b for b in out.strong if backbones[b].get("head") == "own"]
    if own:
        raise ConfigError(f"{where}.strong: {own} keep their own classifier (head: own), which only a weak supervisor can use; "
                          "give the strong models head: drop (a probe on their features).")
    learns = [b for b, o in backbones.items() if o["kind"] == "kmeans_patches"]
    if learns and out.unlabelled < 100:
        raise ConfigError(f"{where}.unlabelled: backbones {learns} learn from unlabelled images; hold out at least 100 "
                          f"(unlabelled: {out.unlabelled}).")
    return out

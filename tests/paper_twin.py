"""The toy-scale twin of config/paper.yaml: the same rules, regimes, losses, hardware and bootstrap
chain, run offline in minutes, made from the overlay by one transformation (``twin_overlay``), never
written by hand:

- datasets: the overlay's ``TWIN_DATASETS`` (a multiple-choice set and the comparison-pair set, so
  every kind of job and figure of the overlay is there), each read from its published-layout replica
  under ``W2S_HUB_MIRROR`` (tests/hub_replicas.py; every fixture row in ``COPIES`` marked copies, so
  the near-duplicate grouping, which would merge the copies, is off) at ``TWIN_SPLITS`` examples;
- models: every rung a tiny random-init model of its backbone's own class (GPT-2's Conv1D layers,
  Qwen2), saved as the hub serves a model (safetensors, tokenizer.json), read by ``hub_id`` and
  declaring the rung's real size, so the (weak, strong) pairs and the ``hardware`` entries it reaches
  are the overlay's;
- rungs: the overlay's ladder less its largest rung (``DROPPED_RUNGS``, from the model list, the
  experiment's lists and the bootstrap chain): a rung the hardware block gives bf16, checkpointing and
  micro-batches stays (GPT-2 large), and the jobs are about half;
- seeds: ``TWIN_SEEDS`` (the overlay's first).

Everything else is the overlay's, key for key.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PAPER = REPO / "config" / "paper.yaml"
TWIN_DATASETS = ("sciq", "anthropic_hh")
TWIN_SPLITS = {"train_a": 24, "train_b": 36, "test": 24}
TWIN_SEEDS = [0]
DROPPED_RUNGS = 1  # the largest rungs left out
COPIES = 20
# The class of each backbone family the overlay uses (tests/tiny_decoder.py builds them).
CLASSES = {"gpt2": "gpt2", "qwen2.5": "qwen2"}


def backbone_class(backbone: str) -> str:
    family = next((f for f in CLASSES if backbone.startswith(f)), None)
    if family is None:
        raise ValueError(f"the twin has no tiny model class for backbone {backbone!r}; add it to CLASSES")
    return CLASSES[family]


def twin_overlay(paper: dict, models_dir: Path) -> dict:
    """The twin of the overlay ``paper`` (config/paper.yaml as written), its tiny models in ``models_dir``."""
    from weak2strong.models.registry import BACKBONES

    twin = copy.deepcopy(paper)
    twin["seeds"] = list(TWIN_SEEDS)
    twin["datasets"] = {name: (None if opts is None else {**opts, "max_examples": sum(TWIN_SPLITS.values()),
                                                           "split_sizes": dict(TWIN_SPLITS), "near_duplicates": None})
                        for name, opts in paper["datasets"].items() if opts is None or name in TWIN_DATASETS}
    models = {}
    rungs = sorted((n for n, o in paper["models"].items() if o), key=lambda n: BACKBONES[paper["models"][n]["backbone"]].n_params)
    dropped = set(rungs[len(rungs) - DROPPED_RUNGS:])
    twin["experiment"] = {**paper["experiment"], **{role: [n for n in paper["experiment"][role] if n not in dropped]
                                                     for role in ("weak", "strong")}}
    twin["bootstrap"]["chains"] = {c: (None if names is None else [n for n in names if n not in dropped])
                                   for c, names in paper["bootstrap"]["chains"].items()}
    for name, opts in paper["models"].items():
        if opts is None or name in dropped:
            models[name] = None
            continue
        spec = BACKBONES[opts["backbone"]]
        layers = 1 + rungs.index(name)  # a deeper tiny model for each larger rung
        models[name] = {"backbone": f"tiny-{spec.name}", "hub_id": str(models_dir / f"{name}-{backbone_class(spec.name)}"),
                        "arch": spec.arch, "n_layers": layers, "n_params": spec.n_params, "finetune_lr": spec.finetune_lr}
    twin["models"] = models
    return twin


def build_twin(workdir: Path) -> tuple[list[str], dict]:
    """The twin's files in ``workdir``: replicas, tiny models and the overlay; returns the config files
    (the default, then the twin overlay) and the environment the runs need."""
    sys.path[:0] = [str(TESTS)]
    from hub_replicas import build_replica
    from tiny_decoder import save_tiny_decoder

    from weak2strong.data.registry import DATASETS

    paper = yaml.safe_load(PAPER.read_text())
    twin = twin_overlay(paper, workdir / "models")
    for name in TWIN_DATASETS:
        build_replica(workdir / "mirror", name, DATASETS[name].hub_path, copies=COPIES)
    for name, opts in twin["models"].items():
        if opts is not None:
            arch = Path(opts["hub_id"]).name.rsplit("-", 1)[1]
            save_tiny_decoder(Path(opts["hub_id"]), layers=opts["n_layers"], hidden=32, arch=arch)
    (workdir / "paper-twin.yaml").write_text(yaml.safe_dump(twin, sort_keys=False))
    return [str(REPO / "config" / "config.yaml"), str(workdir / "paper-twin.yaml")], {"W2S_HUB_MIRROR": str(workdir / "mirror")}


def dry_run_jobs(stdout: str) -> list[tuple[str, tuple]]:
    """(rule, sorted wildcards) of every job a dry run printed."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", stdout):
        rule = re.match(r"(?:local)?rule (\w+):", block)
        if rule is None:
            continue
        found = re.search(r"^\s+wildcards: (.*)$", block, flags=re.M)
        wildcards = tuple(sorted(tuple(w.split("=", 1)) for w in found.group(1).split(", "))) if found else ()
        jobs.append((rule.group(1), wildcards))
    return jobs


def overlay_cells(jobs, datasets, seeds, pairs) -> list[tuple[str, tuple]]:
    """The overlay's jobs of the twin's cells: of its datasets, seeds and (weak, strong) pairs. A job
    whose dataset (a wildcard, or the first part of a cell) or seed is not the twin's is left out, and so
    is one of a model the twin's pairs do not use in its role (weak labels of a weak model, a ceiling of a
    strong one, a student of a pair); jobs of no dataset stay."""
    weak, strong = {w for w, _ in pairs}, {s for _, s in pairs}
    keep = []
    for rule, wildcards in jobs:
        values = dict(wildcards)
        cell = values.get("cell", "").split("/")
        dataset = values.get("dataset") or (cell[0] or None)
        if dataset is not None and dataset not in datasets:
            continue
        if "seed" in values and int(values["seed"]) not in seeds:
            continue
        if len(cell) >= 4 and cell[1] == "student":
            values.update(weak=cell[2], strong=cell[3])
        elif len(cell) == 3 and cell[1] == "ceiling":
            values["strong"] = cell[2]
        elif len(cell) == 2:
            values["weak"] = cell[1]
        w, s = values.get("weak"), values.get("strong")
        if (w and s and (w, s) not in pairs) or (w and not s and w not in weak) or (s and not w and s not in strong):
            continue
        keep.append((rule, wildcards))
    return keep

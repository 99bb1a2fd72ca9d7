"""The training regimes: one entry each, naming its back-end and the one fact the workflow needs.

A back-end is a function ``(TrainingRun) -> (predictions by split, TrainResult)``
(``training/run.py``). Adding a regime is one back-end module plus one entry here; the config can
then name it under ``experiment.regime`` and ``regimes:``. This module imports no torch: the plan
and the rules read it before any job runs, and a job imports only the back-end it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import Registry, load


@dataclass(frozen=True)
class RegimeKind:
    name: str
    backend: str  # "weak2strong.<module>:<function>" (registry.load), imported when a job trains
    # True: trains a head on features cached once per (dataset, backbone, layer): cheap, so one job
    # runs every seed of a cell, on CPUs. False: trains the model itself: one job per seed, on a GPU.
    on_features: bool
    description: str = ""
    options: str | None = None  # "module:class" of its own options (training/options.py), beside the loop's TrainConfig
    # "weak2strong.<module>:<function>" training several runs (a job's seeds) at once: (list[TrainingRun]) -> [(predictions, TrainResult)]
    batched: str | None = None
    # FLOPs per parameter and token of a training step (cost.py): 6 with every weight's gradient,
    # 4 with adapters only (no weight gradients: the backward pass is about one forward's work)
    step_flops: float = 6.0


REGIMES: Registry[RegimeKind] = Registry(
    "regime",
    [
        RegimeKind("linear_probe", "weak2strong.training.probe:probe_and_predict", True,
                   "a linear head on frozen features", batched="weak2strong.training.probe:probes_and_predict"),
        RegimeKind("finetune", "weak2strong.training.finetune:finetune_and_predict", False,
                   "every weight (the paper's main setting)"),
        RegimeKind("lora", "weak2strong.training.finetune:lora_and_predict", False,
                   "LoRA adapters on the attention projections, and the head", options="weak2strong.training.options:LoraOptions",
                   step_flops=4.0),
        RegimeKind("lp_ft", "weak2strong.training.finetune:lp_ft_and_predict", False,
                   "the head on the frozen backbone first, then every weight", options="weak2strong.training.options:LpFtOptions"),
    ],
).freeze()


def backend(name: str):
    """The back-end function of regime ``name``."""
    return load(REGIMES[name].backend)


def batched_backend(name: str):
    """The back-end of regime ``name`` that trains several runs at once, or None."""
    return load(REGIMES[name].batched) if REGIMES[name].batched else None


def options_class(name: str):
    """The class of regime ``name``'s own options (None: it has none beyond the loop's)."""
    return load(REGIMES[name].options) if REGIMES[name].options else None

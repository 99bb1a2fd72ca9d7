"""Each regime's own options: what a regime adds to the shared loop options (``loop.TrainConfig``).

One vocabulary for every path that trains adapters or probes first: the classifier's regimes
(``lora``, ``lp_ft``: training/finetune.py), chess and GFT (training/generative.py) read LoRA through
``LoraOptions`` and wrap models with ``lora_model``. The config keeps its flat keys (``regimes.lora.lora_r``,
a model's own ``lora_r``); ``regimes.RegimeKind.options`` names the class that takes them. This module
imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..config_schema import option_defaults

# Defaults from the config schema alone: each regime's block ($defs/train_lora, $defs/train_lp_ft) less
# the loop's options ($defs/train), which the schema fills into the regime's block.
_LORA = option_defaults("train_lora", without="train")
_LP_FT = option_defaults("train_lp_ft", without="train")


@dataclass(frozen=True)
class LoraOptions:
    lora_r: int = _LORA["lora_r"]
    lora_alpha: int = _LORA["lora_alpha"]
    lora_target_modules: list | None = None  # None: the caller's default (by model family, or every linear layer)

    @property
    def scaling(self) -> float:
        return self.lora_alpha / self.lora_r


@dataclass(frozen=True)
class LpFtOptions:
    lp_epochs: float = _LP_FT["lp_epochs"]  # epochs of head-only training before full fine-tuning
    lp_lr: float = _LP_FT["lp_lr"]

    @staticmethod
    def refuses(options: dict) -> str:
        """What the regime's block may not hold, as the config error's text after ``regimes.lp_ft.`` ("" if nothing)."""
        if isinstance(options.get("head_lr"), (int, float)):
            return ("head_lr: LP-FT fits the head in its probe phase (at lp_lr), then trains every weight, the head included, "
                    "at lr; a head rate of its own would retrain the probed head. Remove head_lr (auto and null are ignored in lp_ft).")
        return ""


def field_names(cls) -> set[str]:
    return {f.name for f in fields(cls)}


def resolve_rates(options: dict, spec) -> dict:
    """A training regime's options for model ``spec`` with its rates resolved, the one place they are:
    ``lr: null`` is the model's fine-tuning rate, ``head_lr: auto`` the model's own head rate
    (``ModelSpec.own_head_lr``: its architecture's measured rate, none for an unembedding head).
    ``Plan.train_options`` applies it, so a job's params carry the rates it trains at; the fine-tuning
    back-end and chess's training apply it to options built by hand (a no-op on resolved options)."""
    out = dict(options)
    if out.get("lr") is None:
        out["lr"] = spec.finetune_lr
    if out.get("head_lr") == "auto":
        out["head_lr"] = spec.own_head_lr
    return out


def split_options(options: dict, cls) -> tuple[dict, object | None]:
    """``options`` without the fields of ``cls``, and ``cls`` built from them (None without a class)."""
    if cls is None:
        return dict(options), None
    own = field_names(cls)
    return {k: v for k, v in options.items() if k not in own}, cls(**{k: v for k, v in options.items() if k in own})


def lora_model(module, options: LoraOptions, default_targets, **config):
    """``module`` wrapped with LoRA adapters (peft) on ``options.lora_target_modules``, else on
    ``default_targets``; ``config``: further ``LoraConfig`` fields (e.g. ``task_type``)."""
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(r=options.lora_r, lora_alpha=options.lora_alpha, lora_dropout=0.0, bias="none",
                      target_modules=options.lora_target_modules or default_targets, **config)
    return get_peft_model(module, lora)

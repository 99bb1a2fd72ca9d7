"""Generative fine-tuning (GFT): before weak-to-strong training, the strong decoder learns the task's
text with the language-modelling loss, as in the paper (which reports GFT raising reward-modelling
PGR by about 10-20 points).

It reads only the dataset's texts that no split can use (``unlabelled.parquet``: outside the pool,
no group shared with it; data/prepare.py), never a label: pair datasets give each completion with its
prompt, the others their example text. LoRA adapters (peft, on every linear projection of the blocks)
are trained and saved small (models/adapters.py); features of the GFT model are read through them, so
its ceiling and its students share the GFT backbone and PGR stays comparable.
"""

from __future__ import annotations

import logging

import pandas as pd
import torch

from ...data.pairs import is_pairs, scored_texts
from ...errors import ConfigError
from ...models.adapters import save_adapter
from ...models.registry import ModelSpec
from ...training.generative import apply_lora, train_lm

log = logging.getLogger(__name__)

# The adapters' learning rate warms up linearly over this fraction of the steps, then decays (cosine); a
# property of the method, not an option: the adapters' name hashes the gft block's options, which it is not.
WARMUP_FRAC = 0.1
REGIME = "lora"  # GFT trains LoRA adapters (the generative loop, train_lm) with the registered lora regime's options


def gft_texts(unlabelled: pd.DataFrame, max_texts: int, dataset: str = "?") -> list[str]:
    """The texts GFT reads, in the file's (seeded, random) order: for pairs, each completion after its prompt."""
    if is_pairs(unlabelled):
        texts = [scored_texts(p, c) for p, c1, c2 in zip(unlabelled["prompt"], unlabelled["c1"], unlabelled["c2"]) for c in (c1, c2)]
    else:
        texts = unlabelled["text"].tolist()
    if not texts:
        raise ConfigError(f"dataset '{dataset}': no text is left outside the pool for generative fine-tuning; lower "
                          f"datasets.{dataset}.max_examples (config/config.yaml) so some of the dataset stays out of every split.")
    return texts[:max_texts]


def cut_to_length(tokenizer, texts: list[str], max_tokens: int) -> tuple[list[str], int]:
    """Each text cut to its first ``max_tokens`` tokens (as the LM loss reads it); how many were cut."""
    out, n_cut = [], 0
    for text in texts:
        ids = tokenizer(" " + text, add_special_tokens=False)["input_ids"]
        if len(ids) > max_tokens:
            text, n_cut = tokenizer.decode(ids[:max_tokens]).strip(), n_cut + 1
        out.append(text)
    return out, n_cut


def gft_regime(options: dict):
    """The registered ``lora`` regime (its options and its loop) with the model's ``gft`` block, built by
    the one constructor of every training job (``experiment.regime_from_params``)."""
    from ...experiment import regime_from_params

    return regime_from_params({
        "name": REGIME, "lr": float(options["lr"]), "batch_size": int(options["batch_size"]), "epochs": float(options["epochs"]),
        "warmup_frac": WARMUP_FRAC, "bf16": torch.cuda.is_available(), "lora_r": int(options["lora_r"]),
        "lora_alpha": int(options["lora_alpha"]), "max_length": int(options["max_length"]),
    })


def train_gft(model, tokenizer, texts: list[str], options: dict, seed: int, desc: str = "gft") -> tuple[dict, float, dict]:
    """LoRA adapters on ``model`` (a causal LM) trained on ``texts``; returns the adapters
    ``{module: (A, B)}``, their scaling and the training log."""
    regime = gft_regime(options)
    cfg, adapters, max_length = regime.train, regime.options, regime.max_length
    texts, n_cut = cut_to_length(tokenizer, texts, max_length - 2)  # room for the end-of-sequence token (encode_pairs)
    if n_cut:
        log.info("%d of %d texts were longer than %d tokens and keep their start", n_cut, len(texts), max_length - 2)
    torch.manual_seed(seed)
    peft_model = apply_lora(model, adapters)
    stats = train_lm(peft_model, tokenizer, [""] * len(texts), texts, cfg, max_length, seed, desc=desc)
    lora = {}
    for name, module in peft_model.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            plain = name.removeprefix("base_model.model.")
            lora[plain] = (module.lora_A["default"].weight, module.lora_B["default"].weight)
    return lora, adapters.scaling, stats


def run_gft(spec: ModelSpec, unlabelled: pd.DataFrame, out_path: str, resources_dir: str, seed: int, dataset: str) -> dict:
    from ...models.decoder import load_causal_lm, load_decoder_tokenizer

    options = dict(spec.gft)
    texts = gft_texts(unlabelled, int(options["max_texts"]), dataset)
    log.info("%s: generative fine-tuning on %d unlabelled texts (%s)", spec.name, len(texts), options)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = load_causal_lm(spec, resources_dir, device)
    tokenizer = load_decoder_tokenizer(spec, resources_dir)
    tokenizer.padding_side = "right"
    lora, scaling, stats = train_gft(model, tokenizer, texts, options, seed, desc=f"gft {spec.backbone.name}")
    save_adapter(out_path, lora, scaling, {"backbone": spec.backbone.name, "options": options, "n_texts": len(texts),
                                           "losses": stats["losses"], "dataset": dataset})
    log.info("saved %d adapted layers to %s", len(lora), out_path)
    return stats

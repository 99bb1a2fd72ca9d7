"""Frozen features, extracted once per (dataset, model, layer) and cached as safetensors.

File layout: tensor ``features`` [n_examples, hidden] float32, rows in the order of the
metadata field ``ids`` (a JSON list of example ids, the same ids as every Parquet file).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from ..blocks import FeaturesOptions
from ..io import damaged, open_safetensors, write_safetensors
from .adapters import merge_adapter
from .backbone import check_window, load_backbone, load_tokenizer
from .classifier import hidden_size_of
from .pooling import pool
from .precision import autocast, bf16_applies
from .registry import ModelSpec
from .tokens import pad_batch, tokenize

log = logging.getLogger(__name__)


@torch.no_grad()
def embed_texts(model, tokenizer, texts: list[str], pooling: str, layer: int, max_length: int, batch_size: int, device: str,
                bf16: bool | str = False, truncation_side: str = "right") -> tuple[torch.Tensor, dict]:
    """Pooled hidden state ``layer`` (0 = embeddings) of the backbone for each text, in input
    order, and the tokenisation's counts (``n_truncated`` of ``n_texts``)."""
    model.eval()
    if getattr(model, "hf_device_map", None):
        device = str(next(model.parameters()).device)  # placed by device_map: inputs go to its first device
    else:
        model.to(device)
    enc = tokenize(tokenizer, texts, max_length, truncation_side)
    ids = enc["input_ids"]
    # Sorting by length cuts padding; results go back to input order.
    order = np.argsort(-np.array([len(x) for x in ids]), kind="stable")
    out = torch.empty(len(texts), hidden_size_of(model))
    # disable=False: the progress goes to the rule's log too (the slow step of the default run)
    for start in tqdm(range(0, len(texts), batch_size), desc="features", unit="batch", mininterval=30, disable=False):
        idx = order[start:start + batch_size]
        batch = {k: v.to(device) for k, v in pad_batch([ids[i] for i in idx], tokenizer.pad_token_id, tokenizer.padding_side).items()}
        with autocast(torch.device(device), bf16):
            outputs = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], output_hidden_states=True)
            hidden = outputs.hidden_states[layer]
        out[torch.as_tensor(idx)] = pool(hidden.float(), batch["attention_mask"].to(hidden.device), pooling).cpu()
    return out, {"n_truncated": enc["n_truncated"], "n_texts": enc["n_texts"]}


def extract_features(
    spec: ModelSpec, texts: list[str], ids: list[str], out_path: str | Path, resources_dir: str | Path,
    max_length: int = FeaturesOptions.max_length, batch_size: int = FeaturesOptions.batch_size, device: str | None = None,
    device_map: str | None = None, bf16: bool | str = False,
    truncation_side: str = "right", second_texts: list[str] | None = None, adapter: str | Path | None = None,
) -> None:
    """Extract and save features. With ``second_texts`` (pair datasets: the text of completion 2 of
    each pair, ``texts`` being completion 1's) a row is the difference f(text) − f(second text), so a
    bias-free linear head on it is the reward-model form r(c1) − r(c2); the file says ``pairwise``.
    ``device_map`` ("auto") spreads a model too big for one GPU over
    all of them; ``bf16`` (true or auto: see ``precision.bf16_applies``) runs the forward pass in bf16
    autocast where the device has native bf16 (features saved in fp32; metadata ``precision``); texts
    longer than ``max_length`` tokens are cut from ``truncation_side`` (counted in the file's
    metadata as ``n_truncated``)."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = load_tokenizer(spec, resources_dir)
    model = load_backbone(spec, resources_dir, device_map=device_map)
    check_window(model, spec, max_length)
    if adapter is not None:  # a GFT backbone (families/gft): its LoRA updates merged into the weights
        log.info("merged %d adapted layers from %s", merge_adapter(model, adapter), adapter)
    t0 = time.perf_counter()
    feats, counts = embed_texts(model, tokenizer, texts, spec.backbone.pooling, spec.layer, max_length, batch_size, device, bf16,
                                truncation_side)
    if second_texts is not None:
        feats2, counts2 = embed_texts(model, tokenizer, second_texts, spec.backbone.pooling, spec.layer, max_length, batch_size, device,
                                      bf16, truncation_side)
        feats = feats - feats2
        counts = {"n_truncated": counts["n_truncated"] + counts2["n_truncated"], "n_texts": counts["n_texts"] + counts2["n_texts"]}
    seconds = time.perf_counter() - t0
    log.info("%s layer %d: %d examples in %.1fs (%.0f/s)", spec.backbone.name, spec.layer, len(texts), seconds, len(texts) / seconds)
    log.info("model compute: %.3f s", seconds)  # read by benchmarks/overhead.py
    metadata = {"ids": json.dumps(ids), "model": spec.backbone.name, "layer": str(spec.layer), "max_length": str(max_length),
                "truncation_side": truncation_side, "n_truncated": str(counts["n_truncated"]),
                "pairwise": str(second_texts is not None).lower(), "adapter": str(adapter or ""),
                "precision": "bf16" if bf16_applies(next(model.parameters()).device, bf16) else "fp32"}
    write_safetensors({"features": feats}, out_path, metadata)


def features_are_pairwise(path: str | Path) -> bool:
    """Whether the file holds pair differences (a reward model's features, see ``extract_features``)."""
    with open_safetensors(path) as fh:
        return (fh.metadata() or {}).get("pairwise") == "true"


@functools.lru_cache(maxsize=4)
def load_features(path: str | Path) -> tuple[torch.Tensor, list[str]]:
    """Features and their ids (cached: a job training several seeds reads the file once)."""
    with open_safetensors(path) as fh:  # checked for damage and origin
        try:
            return fh.get_tensor("features"), json.loads(fh.metadata()["ids"])
        except Exception as exc:  # a damaged file raises SafetensorError, KeyError, ...
            raise damaged(path, exc) from exc

"""A causal LM with its LM head (generative tasks), optionally cut after a layer, and its tokenizer."""

from __future__ import annotations

import torch

from .backbone import _load, load_tokenizer
from .registry import ModelSpec


def load_causal_lm(spec: ModelSpec, resources_dir, device: str, dtype: torch.dtype = torch.float32):
    """The model with its unembedding; a cut model (``layer`` < n_layers) keeps its final norm and
    head, so it is a weaker rung of the same ladder. The KV cache is on (greedy generation)."""
    from transformers import AutoModelForCausalLM

    if spec.backbone.arch != "decoder":
        raise ValueError(f"model '{spec.name}' is an {spec.backbone.arch}; a generative task needs a decoder (arch: decoder).")
    model = _load(AutoModelForCausalLM, spec, resources_dir, dtype, None).to(device)
    model.config.use_cache = True
    if getattr(model, "generation_config", None) is not None:
        # Greedy decoding: sampling options an instruct checkpoint ships would only raise warnings.
        for key in ("temperature", "top_p", "top_k"):
            if hasattr(model.generation_config, key):
                setattr(model.generation_config, key, None)
    return model


def load_decoder_tokenizer(spec: ModelSpec, resources_dir):
    tok = load_tokenizer(spec, resources_dir)
    tok.padding_side = "left"
    return tok

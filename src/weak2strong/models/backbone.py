"""Loading a backbone (truncated after a layer) and its tokenizer, offline-safe."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import torch

from ..errors import ConfigError, ModelNotFoundError
from .registry import ModelSpec

log = logging.getLogger(__name__)


def model_location(spec: ModelSpec, resources_dir: str | Path) -> tuple[str, dict]:
    """Where ``from_pretrained`` should look, and the extra keyword arguments it needs."""
    b = spec.backbone
    kwargs: dict = {"trust_remote_code": b.trust_remote_code}
    if b.source == "hub":
        kwargs["revision"] = b.revision
    if b.source == "packaged":
        path = Path(resources_dir) / "models" / b.name
        if not path.exists():
            raise ModelNotFoundError(
                f"model files for '{b.name}' are not in {path}; the workflow's fetch_model rule puts them there."
            )
        from ..assets import check_model_folder

        check_model_folder(path)  # the files its fetch placed there, unchanged
        if b.gguf_file:
            kwargs["gguf_file"] = b.gguf_file
        return str(path), kwargs
    return b.hub_id, kwargs


def check_safetensors_present(spec: ModelSpec, location: str) -> None:
    """A local model folder with pickled weights only (``pytorch_model.bin``) gets the fix, not the
    library's hint about the offline cache."""
    folder = Path(location)
    if not folder.is_dir() or any(folder.glob("*.safetensors")) or any(folder.glob("*.safetensors.index.json")):
        return
    pickled = sorted(p.name for p in folder.glob("*.bin")) + sorted(p.name for p in folder.glob("*.pt*"))
    if pickled:
        raise ModelNotFoundError(
            f"model '{spec.name}' ({folder}): no safetensors weights, only pickled ones ({', '.join(pickled[:3])}), which can run "
            "code when loaded and are refused by default. Convert them once, e.g. `python -c \"from transformers import "
            f"AutoModel; AutoModel.from_pretrained('{folder}', use_safetensors=False).save_pretrained('{folder}')\"` for a "
            f"folder you trust, or set `use_safetensors: false` under models.{spec.name} in the config.")


# Weights a checkpoint may lack without harm: BERT-style poolers (never read: features are pooled
# from hidden states) that a sentence-encoder or MLM checkpoint does not carry.
MAY_BE_MISSING = ("pooler.",)


def check_loaded_weights(name: str, location: str, info: dict) -> None:
    """Every weight the model reads came from the checkpoint (``info``: what ``from_pretrained(...,
    output_loading_info=True)`` returns). transformers initialises a missing one at random and only
    logs it, so a checkpoint of another architecture, or one saved with a ``module.`` prefix, would
    otherwise give random features without a word. Used for text and image models alike."""
    missing = sorted(k for k in info.get("missing_keys") or [] if not k.startswith(MAY_BE_MISSING))
    if missing:
        unexpected = sorted(info.get("unexpected_keys") or [])
        raise ModelNotFoundError(
            f"model '{name}' ({location}): {len(missing)} weights are not in the checkpoint and would be random (e.g. "
            f"{missing[:3]}){f'; it has {len(unexpected)} tensors that match nothing (e.g. {unexpected[:2]})' if unexpected else ''}. "
            "A prefix such as 'module.' on every key, or a checkpoint of another architecture, is the usual cause.")


def _not_found(spec: ModelSpec, location: str, exc: Exception) -> ModelNotFoundError:
    offline = os.environ.get("HF_HUB_OFFLINE") == "1"
    hint = (
        "HF_HUB_OFFLINE=1 is set and this model is not in the local Hugging Face cache: use a packaged "
        "model (minilm-l6, mpnet-base, smollm2-135m, gemma3-270m) or download it on a connected machine first."
        if offline
        else "check the model's hub id in config/config.yaml or src/weak2strong/models/registry.py."
    )
    return ModelNotFoundError(f"model '{spec.name}' ({location}) could not be loaded: {exc}. {hint}")


def load_tokenizer(spec: ModelSpec, resources_dir: str | Path):
    from transformers import AutoTokenizer

    location, kwargs = model_location(spec, resources_dir)
    try:
        tok = AutoTokenizer.from_pretrained(location, **kwargs)
    except (OSError, ValueError) as exc:
        raise _not_found(spec, location, exc) from exc
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token  # decoders ship without a pad token; the mask marks padding
    return tok


def load_backbone(spec: ModelSpec, resources_dir: str | Path, dtype: torch.dtype = torch.float32, device_map: str | None = None):
    """The bare transformer (no LM/MLM head), keeping only its first ``spec.layer`` layers.

    ``device_map`` (e.g. "auto", through accelerate) spreads a model too big for one GPU over
    every visible GPU (and CPU memory after them), for inference."""
    from transformers import AutoModel

    return _load(AutoModel, spec, resources_dir, dtype, device_map)


def load_backbone_with_unembedding(spec: ModelSpec, resources_dir: str | Path, tokenizer) -> tuple[torch.nn.Module, torch.Tensor]:
    """The backbone of a causal LM and the rows of its LM head for the tokens "0" and "1" (the
    ``head_init: unembedding`` option), from one load of the weights."""
    from transformers import AutoModelForCausalLM

    lm = _load(AutoModelForCausalLM, spec, resources_dir, torch.float32, None)
    out = lm.get_output_embeddings()
    if out is None:
        raise ModelNotFoundError(f"model '{spec.name}' has no unembedding; use head_init: zeros for it.")
    ids = [tokenizer.encode(t, add_special_tokens=False)[-1] for t in ("0", "1")]
    rows = out.weight[ids].detach().clone()
    return lm.base_model, rows


# Encoders that number positions from padding_idx + 1 (fairseq's convention): two fewer usable positions.
POSITIONS_AFTER_PADDING = {"roberta", "xlm-roberta", "camembert", "mpnet", "longformer"}


def positions_of(config) -> int | None:
    """How many tokens a model can read (its learned positions), or None when it does not say."""
    limit = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    if limit and getattr(config, "model_type", "") in POSITIONS_AFTER_PADDING:
        limit -= (getattr(config, "pad_token_id", None) or 0) + 1
    return limit


def check_window(model, spec: ModelSpec, max_length: int) -> None:
    """``max_length`` fits the model's positions: a longer window fails deep inside the embedding
    layer with an index error, which says nothing about the setting to change."""
    limit = positions_of(getattr(model, "config", None))
    if limit and max_length > limit:
        # cached features are named by backbone and layer ("minilm-l6@6"), not by a config entry
        who = (f"the models on backbone {spec.backbone.name} at layer {spec.layer}" if "@" in spec.name
               else f"models.{spec.name}")
        setting = "models.<name>.max_length" if "@" in spec.name else f"models.{spec.name}.max_length"
        raise ConfigError(f"config/config.yaml: a window of {max_length} tokens for {who} is more than "
                          f"{spec.backbone.name} reads ({limit} positions); set {setting} (or features.max_length, or the "
                          f"regime's max_length) to at most {limit}.")


def _load(auto_class, spec: ModelSpec, resources_dir: str | Path, dtype: torch.dtype, device_map: str | None):
    from transformers import AutoConfig

    location, kwargs = model_location(spec, resources_dir)
    if device_map is not None:
        kwargs["device_map"] = device_map
    try:
        config = AutoConfig.from_pretrained(location, **{k: v for k, v in kwargs.items() if k != "device_map"})
        n_layers = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layer", None)
        overrides = {}
        if n_layers is not None and spec.layer < n_layers:
            overrides["num_hidden_layers" if hasattr(config, "num_hidden_layers") else "n_layer"] = max(spec.layer, 1)
        # No dropout: the paper trains without it, and features must be deterministic.
        for key in ("hidden_dropout_prob", "attention_probs_dropout_prob", "resid_pdrop", "embd_pdrop", "attn_pdrop",
                    "attention_dropout", "dropout"):
            if hasattr(config, key):
                overrides[key] = 0.0
        if hasattr(config, "use_cache"):
            overrides["use_cache"] = False  # a classifier needs no KV cache (and it clashes with checkpointing)
        for key, value in overrides.items():
            setattr(config, key, value)
        # Loading a cut backbone reports the unused layers' weights; that is expected, not news.
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        weights = dict(kwargs)
        if spec.backbone.source == "hub" and not spec.backbone.gguf_file:
            weights["use_safetensors"] = spec.backbone.use_safetensors  # pickled weights only when the config opts out
            if spec.backbone.use_safetensors:
                check_safetensors_present(spec, location)
        try:
            model, info = auto_class.from_pretrained(location, config=config, dtype=dtype, output_loading_info=True, **weights)
        finally:
            hf_logging.set_verbosity(verbosity)
    except (OSError, ValueError) as exc:
        raise _not_found(spec, location, exc) from exc
    check_loaded_weights(spec.name, location, info)
    commit = getattr(model.config, "_commit_hash", None)
    log.info("loaded %s from %s%s", spec.backbone.name, location, f" at commit {commit}" if commit else "")
    return model

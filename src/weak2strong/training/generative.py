"""Generative fine-tuning of a causal LM on (prompt, target) pairs, and greedy completions.

The loss is the next-token cross-entropy on the target's tokens only (the prompt is read, not
learnt), averaged over target tokens; each target ends with the end-of-sequence token so the model
learns where an answer stops. Training pads on the right, generation on the left (a decoder must
read its last prompt token last). Regimes: "finetune" (every weight) and "lora" (adapters on the
attention and MLP projections, through peft).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch
from tqdm.auto import tqdm

from ..models.precision import autocast
from . import lean_optim
from .loop import TrainConfig, lr_factor
from .options import LoraOptions, lora_model

log = logging.getLogger(__name__)

IGNORE = -100  # label of a token the loss skips (prompt and padding)


def leading_special_tokens(tokenizer) -> list[int]:
    """The special tokens the tokenizer itself puts before a text (Gemma's ``<bos>``, without which it
    writes garbage; none for GPT-2, SmolLM2 or Qwen; none where it appends them instead)."""
    body = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    return full[: len(full) - len(body)] if full[len(full) - len(body):] == body else []


def prompt_tokens(tokenizer, prompt: str, room: int | None = None, head: list[int] | None = None) -> tuple[list[int], bool]:
    """A prompt's token ids after ``leading_special_tokens`` (``head``, found if not given), cut from the
    left to at most ``room`` tokens with those kept in front; and whether it was cut."""
    head = leading_special_tokens(tokenizer) if head is None else head
    body = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    cut = room is not None and len(head) + len(body) > room
    if cut:
        body = body[len(head) + len(body) - room:]
    return head + body, cut


def encode_pairs(tokenizer, prompts: list[str], targets: list[str], max_length: int) -> tuple[list[list[int]], list[list[int]], int]:
    """Token ids and labels of each prompt + " " + target + EOS; labels are ``IGNORE`` on the
    prompt. A sequence over ``max_length`` loses prompt tokens from the left; returns how many did."""
    eos, head = tokenizer.eos_token_id, leading_special_tokens(tokenizer)
    ids, labels, n_cut = [], [], 0
    for prompt, target in zip(prompts, targets):
        t = tokenizer(" " + target, add_special_tokens=False)["input_ids"] + [eos]
        room = max_length - len(t)
        if room < 1:
            raise ValueError(f"max_length {max_length} leaves no room for the prompt of a {len(t)}-token target")
        p, cut = prompt_tokens(tokenizer, prompt, room, head)
        n_cut += cut
        ids.append(p + t)
        labels.append([IGNORE] * len(p) + t)
    if n_cut:
        log.warning("%d of %d prompts were longer than %d tokens with their target and lost tokens from the left",
                    n_cut, len(prompts), max_length)
    return ids, labels, n_cut


def _pad_right(seqs: list[list[int]], value: int) -> torch.Tensor:
    width = max(len(s) for s in seqs)
    return torch.tensor([s + [value] * (width - len(s)) for s in seqs], dtype=torch.long)


def target_loss(model, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy over the target tokens of a batch."""
    logits = model(input_ids=input_ids, attention_mask=attention_mask).logits[:, :-1].float()
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=IGNORE)


def apply_lora(model, options: LoraOptions):
    """LoRA adapters on every linear projection of the blocks (peft's "all-linear": attention and
    MLP, never the LM head), unless the options name their own targets."""
    return lora_model(model, options, "all-linear", task_type="CAUSAL_LM")


def train_lm(model, tokenizer, prompts: list[str], targets: list[str], cfg: TrainConfig, max_length: int, seed: int,
             desc: str = "train") -> dict:
    """Train ``model`` in place on the pairs, each cut to ``max_length`` tokens (prompt + target; a longer
    prompt is cut from the left, the target kept), with the classification loop's options (``lr``,
    ``batch_size``, ``epochs``, ``weight_decay``, its warm-up and schedule, ``bf16``; the rest do not
    apply); returns the mean loss per tenth of training and the number of prompts that were cut."""
    device = next(model.parameters()).device
    ids, labels, n_cut = encode_pairs(tokenizer, prompts, targets, max_length)
    pad = tokenizer.pad_token_id
    generator = torch.Generator().manual_seed(seed)
    n = len(ids)
    steps_per_epoch = math.ceil(n / cfg.batch_size)
    total = max(1, math.ceil(cfg.epochs * steps_per_epoch))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = lean_optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=device.type == "cuda")
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: lr_factor(step, total, cfg))  # the classification loop's schedule
    model.train()
    step_losses = []
    order = torch.randperm(n, generator=generator)
    cursor = 0
    for _step in tqdm(range(total), desc=desc, unit="step", mininterval=10):
        if cursor >= n:
            order, cursor = torch.randperm(n, generator=generator), 0
        idx = order[cursor:cursor + cfg.batch_size].tolist()
        cursor += cfg.batch_size
        x = _pad_right([ids[i] for i in idx], pad).to(device)
        y = _pad_right([labels[i] for i in idx], IGNORE).to(device)
        # From the lengths, not from x != pad: decoders without a pad token pad with EOS, which
        # also ends every target.
        mask = _pad_right([[1] * len(ids[i]) for i in idx], 0).to(device)
        with autocast(device, cfg.bf16):
            loss = target_loss(model, x, mask, y)
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step_losses.append(loss.detach())
    model.eval()
    losses = torch.stack(step_losses).float().cpu().numpy()
    tenths = [float(chunk.mean()) for chunk in np.array_split(losses, min(10, len(losses)))]
    log.info("%s: %d steps, loss %.3f → %.3f", desc, total, tenths[0], tenths[-1])
    return {"steps": total, "losses": tenths, "n_prompts_cut": n_cut}


@torch.no_grad()
def greedy_completions(model, tokenizer, prompts: list[str], max_new_tokens: int, max_length: int, batch_size: int = 32,
                       bf16: bool = False, desc: str = "generate") -> list[str]:
    """The model's greedy continuation of each prompt (decoded, special tokens dropped). Prompts
    longer than ``max_length - max_new_tokens`` tokens lose tokens from the left."""
    device = next(model.parameters()).device
    model.eval()
    room = max(1, max_length - max_new_tokens)
    head = leading_special_tokens(tokenizer)
    encoded = [prompt_tokens(tokenizer, p, room, head)[0] for p in prompts]
    # Longest first: batches of similar length pad less; the order is restored at the end.
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    out: list[str] = [""] * len(prompts)
    pad = tokenizer.pad_token_id
    for start in tqdm(range(0, len(order), batch_size), desc=desc, unit="batch", mininterval=10):
        idx = order[start:start + batch_size]
        width = max(len(encoded[i]) for i in idx)
        x = torch.tensor([[pad] * (width - len(encoded[i])) + encoded[i] for i in idx], device=device)
        mask = torch.tensor([[0] * (width - len(encoded[i])) + [1] * len(encoded[i]) for i in idx], device=device)
        with autocast(device, bf16):
            gen = model.generate(input_ids=x, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=pad, eos_token_id=tokenizer.eos_token_id, use_cache=True)
        for row, i in enumerate(idx):
            out[i] = tokenizer.decode(gen[row, width:], skip_special_tokens=True)
    return out

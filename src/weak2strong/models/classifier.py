"""Backbone + 2-way linear head: the paper's classifier."""

from __future__ import annotations

import torch
from torch import nn

from .pooling import pool


class Classifier(nn.Module):
    """Reads the last non-padding token (decoders) or the pooled output (encoders)."""

    def __init__(self, backbone: nn.Module, hidden_size: int, pooling: str, layer: int, head_init: torch.Tensor | None = None):
        super().__init__()
        self.backbone = backbone
        self.pooling = pooling
        self.layer = layer  # index into hidden_states: 0 = embeddings
        self.head = nn.Linear(hidden_size, 2, bias=True)
        with torch.no_grad():
            self.head.bias.zero_()
            if head_init is None:
                self.head.weight.zero_()
            else:
                self.head.weight.copy_(head_init.to(self.head.weight.dtype))

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.backbone(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return pool(out.hidden_states[self.layer], attention_mask, self.pooling)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, input_ids_2: torch.Tensor | None = None,
                attention_mask_2: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of each text; given a second text per row (a reward model's pair: prompt + c1, prompt + c2),
        head(f1) − head(f2), so p(c1 preferred) = sigmoid(r(c1) − r(c2)) with r the head's logit difference
        (its bias cancels: swapping the completions gives exactly 1 − p)."""
        feats = self.features(input_ids, attention_mask)
        logits = self.head(feats.to(self.head.weight.dtype))
        if input_ids_2 is not None:
            logits = logits - self.head(self.features(input_ids_2, attention_mask_2).to(self.head.weight.dtype))
        return logits


def hidden_size_of(backbone: nn.Module) -> int:
    cfg = backbone.config
    for key in ("hidden_size", "n_embd", "d_model"):
        if getattr(cfg, key, None):
            return int(getattr(cfg, key))
    raise ValueError("cannot find the hidden size in the backbone's config")

"""LoRA adapters as a small safetensors file, merged into a backbone's weights on loading.

A file holds, for each adapted linear layer, ``<module>.lora_A`` [r, in] and ``<module>.lora_B`` [out, r]
(module names as in the causal LM that was trained), and its metadata the scaling alpha / r. Merging
adds scaling · B @ A to the weight of the backbone module whose name ends the stored one, so the
adapters trained on ``AutoModelForCausalLM`` apply to the ``AutoModel`` that features are read from.
GPT-2's ``Conv1D`` layers store their weight as [in, out] (``x @ W``), the transpose of a linear
layer's, so their update is (B @ A)ᵀ, as peft's ``fan_in_fan_out`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..io import open_safetensors, write_safetensors


def save_adapter(path: str | Path, lora: dict[str, tuple[torch.Tensor, torch.Tensor]], scaling: float, metadata: dict) -> None:
    tensors = {}
    for name, (a, b) in lora.items():
        tensors[f"{name}.lora_A"] = a.detach().float().contiguous().cpu()
        tensors[f"{name}.lora_B"] = b.detach().float().contiguous().cpu()
    write_safetensors(tensors, path, {"scaling": str(scaling), **{k: json.dumps(v) for k, v in metadata.items()}})


def stores_weight_transposed(module: torch.nn.Module) -> bool:
    """GPT-2-style ``Conv1D`` (transformers.pytorch_utils): a linear layer whose weight is [in, out]."""
    from transformers.pytorch_utils import Conv1D

    return isinstance(module, Conv1D)


@torch.no_grad()
def merge_adapter(model: torch.nn.Module, path: str | Path) -> int:
    """Add the adapter's low-rank updates to ``model``'s weights; returns how many layers changed.
    A stored layer with no module in ``model`` (or two) is an error: the adapter was trained on
    another architecture."""
    with open_safetensors(path) as fh:
        scaling = float(fh.metadata()["scaling"])
        names = sorted({k.rsplit(".", 1)[0] for k in fh.keys()})
        modules = dict(model.named_modules())
        for name in names:
            matches = [m for m in modules if m and (name == m or name.endswith("." + m))]
            if len(matches) != 1:
                raise ValueError(f"{path}: adapter layer '{name}' matches {len(matches)} modules of {type(model).__name__}; "
                                 "it was trained on another model: delete it and rerun.")
            module = modules[matches[0]]
            weight = module.weight
            delta = fh.get_tensor(f"{name}.lora_B") @ fh.get_tensor(f"{name}.lora_A")  # [out, in]
            if stores_weight_transposed(module):
                delta = delta.T
            if delta.shape != weight.shape:
                raise ValueError(f"{path}: adapter layer '{name}' is {tuple(delta.shape)} but {matches[0]} of "
                                 f"{type(model).__name__} has a {tuple(weight.shape)} weight: it was trained on another model; "
                                 "delete it and rerun.")
            weight += (scaling * delta).to(weight.dtype)
    return len(names)

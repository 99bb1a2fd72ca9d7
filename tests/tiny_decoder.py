"""A tiny random-init decoder of a real architecture class (Llama by default; GPT-2 with its Conv1D
layers, Gemma-3, Qwen2) with a character-level tokenizer, saved like a hub model (safetensors,
tokenizer.json): the generative path runs offline in seconds on it."""

from __future__ import annotations

import string
from pathlib import Path

SPECIALS = ["<pad>", "<unk>", "<s>", "</s>"]


ARCHITECTURES = ("llama", "gpt2", "gemma3_text", "qwen2")


def tiny_config(arch: str, vocab: int, layers: int, hidden: int):
    """A few-layer config of ``arch``'s own class, with the ids of the tokenizer below."""
    import transformers

    ids = {"pad_token_id": 0, "bos_token_id": 2, "eos_token_id": 3}
    if arch == "gpt2":
        return transformers.GPT2Config(vocab_size=vocab, n_embd=hidden, n_layer=layers, n_head=4, n_positions=512, **ids)
    common = {"vocab_size": vocab, "hidden_size": hidden, "intermediate_size": 2 * hidden, "num_hidden_layers": layers,
              "num_attention_heads": 4, "num_key_value_heads": 2 if arch != "llama" else 4, "max_position_embeddings": 512,
              "tie_word_embeddings": True, **ids}
    if arch == "gemma3_text":
        return transformers.Gemma3TextConfig(**common, head_dim=16, sliding_window=64)
    if arch == "qwen2":
        return transformers.Qwen2Config(**common)
    return transformers.LlamaConfig(**common)


def save_tiny_decoder(dest: Path, layers: int = 2, hidden: int = 64, seed: int = 0, arch: str = "llama") -> Path:
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    dest = Path(dest)
    if (dest / "model.safetensors").exists():
        return dest
    chars = sorted(set(string.ascii_letters + string.digits + string.punctuation + " \n"))
    vocab = {tok: i for i, tok in enumerate(SPECIALS + chars)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>", bos_token="<s>",
                                        eos_token="</s>")
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(tiny_config(arch, len(vocab), layers, hidden))
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest, safe_serialization=True)
    tokenizer.save_pretrained(dest)
    return dest

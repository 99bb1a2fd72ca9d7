"""A tiny random-init Llama-style decoder with a character-level tokenizer, saved like a hub model
(safetensors, tokenizer.json): the generative path runs offline in seconds on it."""

from __future__ import annotations

import string
from pathlib import Path

SPECIALS = ["<pad>", "<unk>", "<s>", "</s>"]


def save_tiny_decoder(dest: Path, layers: int = 2, hidden: int = 64, seed: int = 0) -> Path:
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

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
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=512, pad_token_id=0,
                         bos_token_id=2, eos_token_id=3, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest, safe_serialization=True)
    tokenizer.save_pretrained(dest)
    return dest

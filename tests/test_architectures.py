"""Every model class a shipped config or the README names, as a tiny random-init instance of its real
class saved as the hub serves it (config.json, model.safetensors, tokenizer), through every path a
config uses it on: feature extraction and pooling, fine-tuning in each regime (LoRA on its own
projections), and for decoders greedy generation (chess) and prompting. A generic stand-in would
miss what is architecture-specific (GPT-2's Conv1D, Gemma-3's scaled embeddings, MPNet's relative
positions, a ViT converted without a pooler: test_vision.py; GFT merges: test_gft.py)."""

import shutil

import numpy as np
import pytest
import torch
from safetensors import safe_open
from tiny_decoder import ARCHITECTURES, save_tiny_decoder

from weak2strong.experiment import regime_from_params, strong_ceiling
from weak2strong.models.features import extract_features
from weak2strong.models.registry import resolve_model

from synthetic import toy_splits

pytestmark = pytest.mark.slow
ENCODERS = ("bert", "mpnet")


def save_tiny_encoder(dest, arch: str, tokenizer_from) -> str:
    """BERT (MiniLM's class) or MPNet, two layers, with MiniLM's WordPiece tokenizer."""
    import transformers

    common = dict(vocab_size=30527, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                  max_position_embeddings=64)
    config = transformers.BertConfig(**common) if arch == "bert" else transformers.MPNetConfig(**common)
    torch.manual_seed(0)
    transformers.AutoModel.from_config(config).save_pretrained(dest)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (tokenizer_from / name).exists():
            shutil.copy(tokenizer_from / name, dest / name)
    return str(dest)


@pytest.fixture(scope="module")
def models(tmp_path_factory, minilm):
    root = tmp_path_factory.mktemp("architectures")
    out = {arch: save_tiny_encoder(root / arch, arch, minilm) for arch in ENCODERS}
    out.update({arch: str(save_tiny_decoder(root / arch, arch=arch)) for arch in ARCHITECTURES})
    return out


def spec_of(arch: str, folder: str, **extra):
    kind = "encoder" if arch in ENCODERS else "decoder"
    return resolve_model(f"tiny_{arch}", {"backbone": f"tiny-{arch}", "hub_id": folder, "arch": kind, "n_layers": 2,
                                          "n_params": 1.0, **extra})


@pytest.mark.parametrize("arch", [*ENCODERS, *ARCHITECTURES])
def test_features_pool_each_architecture_deterministically(arch, models, tmp_path):
    spec = spec_of(arch, models[arch])
    texts = ["a short text", "a rather longer text that needs more tokens than the first", "x"]
    for run in (1, 2):
        extract_features(spec, texts, ["a", "b", "c"], tmp_path / f"f{run}.safetensors", tmp_path, max_length=16, batch_size=2)
    with safe_open(str(tmp_path / "f1.safetensors"), framework="pt") as a, safe_open(str(tmp_path / "f2.safetensors"),
                                                                                      framework="pt") as b:
        first, second = a.get_tensor("features"), b.get_tensor("features")
    assert first.shape[0] == 3 and torch.isfinite(first).all()
    torch.testing.assert_close(first, second)  # no random layer anywhere on the path
    assert not torch.allclose(first[0], first[1])  # padding did not swallow the texts


@pytest.mark.parametrize("regime_name", ["finetune", "lora", "lp_ft"])
@pytest.mark.parametrize("arch", [*ENCODERS, *ARCHITECTURES])
def test_each_regime_trains_each_architecture(arch, regime_name, models, tmp_path):
    # finetune: the architecture's own head rate (registry.HEAD_LR)
    options = {"finetune": dict(lr=1e-3, head_lr="auto"), "lora": dict(lr=5e-3, lora_r=4, lora_alpha=8),
               "lp_ft": dict(lr=1e-3, lp_epochs=1, lp_lr=1e-2)}[regime_name]
    regime = regime_from_params({"name": regime_name, "batch_size": 8, "epochs": 2, **options, "max_length": 24})
    preds, result = strong_ceiling(regime, spec_of(arch, models[arch]), toy_splits(12), seed=0, dataset="toy",
                                   resources_dir=str(tmp_path))
    assert len(preds) == 24 and preds["soft_label"].between(0, 1).all() and np.isfinite(result.losses).all()
    assert result.losses[-1] < result.losses[0] + 0.05  # it trains, or at least does not blow up
    # the zero-initialised head moved: a head that never trained gives p = 0.5 for every text
    assert preds["soft_label"].std() > 1e-3


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_decoders_generate_and_score_prompts(arch, models, tmp_path):
    from weak2strong.families.prompting.steps import prompt_p1
    from weak2strong.models.decoder import load_causal_lm, load_decoder_tokenizer
    from weak2strong.training.generative import greedy_completions

    spec = spec_of(arch, models[arch])
    model, tokenizer = load_causal_lm(spec, tmp_path, "cpu"), load_decoder_tokenizer(spec, tmp_path)
    completions = greedy_completions(model, tokenizer, ["1. e4 e5 2.", "a longer prompt of a chess game 1. d4"], 4, 64, 2)
    assert len(completions) == 2 and all(isinstance(c, str) for c in completions)
    p1 = prompt_p1(model, tokenizer, "Task: answer 1 or 0.\n", ["good", "a much longer query text"], batch_size=2)
    assert p1.shape == (2,) and np.isfinite(p1).all() and ((0 < p1) & (p1 < 1)).all()

"""Generative fine-tuning: what it reads (never a label, never a text a split can use), adapters that
merge into the feature backbone exactly, and a GFT model's place in the DAG."""

import copy

import pandas as pd
import pytest
import torch
from tiny_decoder import ARCHITECTURES, save_tiny_decoder

from weak2strong.data.prepare import prepare_pool_and_unlabelled
from weak2strong.data.registry import resolve_dataset
from weak2strong.errors import ConfigError
from weak2strong.families.gft import steps as gft_module
from weak2strong.models.adapters import merge_adapter, save_adapter
from weak2strong.models.registry import resolve_model

from synthetic import make_rows
from workflow_helpers import planned_jobs


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    path = tmp_path_factory.mktemp("gft") / "reviews.jsonl"
    rows = make_rows(1400, seed=0)
    for k, r in enumerate(rows):
        r["topic"] = f"t{k // 3}"  # groups of three related reviews
    pd.DataFrame(rows).to_json(path, orient="records", lines=True)
    return path


@pytest.mark.slow
def test_gft_reads_no_label_and_no_text_a_split_can_use(reviews, tmp_path, monkeypatch):
    spec = resolve_dataset("reviews", {"source": "local", "path": str(reviews), "text_field": "sentence", "label_field": "sentiment",
                                       "positive_label": "pos", "group_field": "topic"})
    pool, unlabelled = prepare_pool_and_unlabelled(spec, seed=0, max_examples=800, near_duplicates=None)
    assert list(unlabelled.columns) == ["id", "text"]  # no label column at all
    assert not set(unlabelled["id"]) & set(pool["id"])
    everything = pd.read_json(reviews, lines=True)
    group_of = dict(zip(everything["sentence"], everything["topic"]))
    assert not {group_of[t] for t in unlabelled["text"]} & {group_of[t] for t in pool["text"]}  # related texts stay out too

    decoder = save_tiny_decoder(tmp_path / "tiny-decoder")
    model_spec = resolve_model("dec_gft", {"backbone": "tiny", "hub_id": str(decoder), "arch": "decoder", "n_layers": 2,
                                           "gft": {"max_texts": 64, "batch_size": 16, "max_length": 96}})
    seen = []
    real = gft_module.train_lm

    def spy(model, tokenizer, prompts, targets, cfg, max_length, seed, desc="train"):
        from weak2strong.training.generative import encode_pairs

        ids, _, _ = encode_pairs(tokenizer, prompts, targets, max_length)
        seen.extend(tokenizer.decode(x, skip_special_tokens=True).strip() for x in ids)  # the token stream, decoded
        return real(model, tokenizer, prompts, targets, cfg, max_length, seed, desc)

    monkeypatch.setattr(gft_module, "train_lm", spy)
    gft_module.run_gft(model_spec, unlabelled, str(tmp_path / "adapter.safetensors"), str(tmp_path), seed=0, dataset="reviews")
    assert len(seen) == 64
    def ascii_of(text):  # the tiny tokenizer knows ASCII only ("café" comes back as "caf")
        return "".join(c for c in text if c.isascii())

    pool_texts, gft_texts = [ascii_of(t) for t in pool["text"]], [ascii_of(t) for t in unlabelled["text"]]
    assert not [t for t in seen if any(p.startswith(t) for p in pool_texts)]  # no pool text (so no test text of any seed)
    assert all(any(u.startswith(t) for u in gft_texts) for t in seen)  # (texts over max_length keep their start)
    assert not any(t.endswith(("pos", "neg")) for t in seen)


# projections per block: Llama, Gemma-3 and Qwen2 q, k, v, o, gate, up, down; GPT-2 c_attn, c_proj, c_fc, mlp.c_proj
PROJECTIONS = {"llama": 7, "gemma3_text": 7, "qwen2": 7, "gpt2": 4}


def test_gft_trains_with_the_registered_lora_regime():
    """GFT names the registered `lora` regime and builds its loop and adapters with the one constructor
    (`experiment.regime_from_params`) from the model's gft block, its warm-up the method's constant."""
    from weak2strong.regimes import options_class

    regime = gft_module.gft_regime({"lr": 1e-3, "batch_size": 4, "epochs": 2, "max_length": 32, "lora_r": 4, "lora_alpha": 8})
    assert regime.name == "lora" and isinstance(regime.options, options_class("lora"))
    assert (regime.options.lora_r, regime.options.lora_alpha, regime.max_length) == (4, 8, 32)
    assert (regime.train.lr, regime.train.batch_size, regime.train.epochs) == (1e-3, 4, 2)
    assert regime.train.warmup_frac == gft_module.WARMUP_FRAC


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_an_adapter_merges_into_the_feature_backbone_exactly(tmp_path, arch):
    """For each decoder class a shipped config names, in its real class: GPT-2 stores its
    projections as Conv1D ([in, out]), where the update is transposed (the merge failed on it, and
    would have transposed a square one silently)."""
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    decoder = save_tiny_decoder(tmp_path / "tiny-decoder", arch=arch)
    lm, tok = AutoModelForCausalLM.from_pretrained(decoder), AutoTokenizer.from_pretrained(decoder)
    tok.padding_side = "right"
    lora, scaling, _ = gft_module.train_gft(lm, tok, ["a tiny text", "another one here"] * 8,
                                            {"lr": 1e-2, "batch_size": 4, "epochs": 2, "max_length": 32, "lora_r": 4, "lora_alpha": 8},
                                            seed=0)
    assert any(b.abs().sum() > 0 for _, b in lora.values())  # trained: B starts at zero
    save_adapter(tmp_path / "a.safetensors", lora, scaling, {"n_texts": 16})
    backbone = AutoModel.from_pretrained(decoder)
    ids = tok(["a tiny text"], return_tensors="pt")
    with torch.no_grad():
        before = backbone(**ids).last_hidden_state
        n = merge_adapter(backbone, tmp_path / "a.safetensors")
        after = backbone(**ids).last_hidden_state
        lm.eval()
        trained = lm(**ids, output_hidden_states=True).hidden_states[-1]  # the peft-wrapped LM, adapters unmerged
    assert n == len(lora) and n == 2 * PROJECTIONS[arch]  # every linear projection of the 2 blocks
    assert not torch.allclose(before, after)
    # the LM's last hidden state is after the final norm, like AutoModel's last_hidden_state
    torch.testing.assert_close(after, trained, atol=1e-4, rtol=1e-4)


def test_gft_needs_a_decoder_and_known_options():
    with pytest.raises(ConfigError, match="needs a decoder"):
        resolve_model("m", {"backbone": "minilm-l6", "gft": {}})
    with pytest.raises(ConfigError, match=r"unknown option\(s\) \['steps'\]"):
        resolve_model("m", {"backbone": "smollm2-135m", "gft": {"steps": 3}})


@pytest.mark.slow
def test_a_gft_model_joins_the_summary_and_a_gft_option_reruns_gft_and_what_reads_it_only(decoder_workflow):
    workdir, config, planned = decoder_workflow  # the tiny run plus a decoder, its GFT variant dec_gft, and prompting
    assert planned["gft"] == 1 and "prepare_dataset" not in planned and "train_weak" not in planned
    summary = pd.read_csv(workdir / "results/metrics/summary.csv")
    assert {"dec", "dec_gft"} <= set(summary["strong"])
    changed = copy.deepcopy(config)
    changed["models"]["dec_gft"]["gft"] = {"max_texts": 40, "batch_size": 16}
    jobs = planned_jobs(workdir, changed)
    assert jobs["gft"] == 1 and jobs["extract_features"] == 1  # the GFT backbone's features only
    assert "train_weak" not in jobs and "prepare_dataset" not in jobs
    assert jobs["train_ceiling"] == 1  # dec_gft's ceiling; dec's is kept

"""How models run on devices: hardware declared by model size in the config, reaching the jobs'
training options, processes and GPU requests; device_map for feature extraction."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from weak2strong.plan import build_plan

REPO = Path(__file__).resolve().parents[1]


def finetune_config() -> dict:
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["experiment"]["regime"] = "finetune"
    config["datasets"].pop("nyt_editorial_sentiment")
    config["seeds"] = 1
    config.pop("bootstrap")
    # minilm_l1 ~3.8M parameters used, minilm_l6 22.7M, mpnet 109M
    config["hardware"] = [
        {"min_params": 10, "bf16": True, "micro_batch_size": 8},
        {"min_params": 100, "gpus": 2, "device_map": "auto"},
    ]
    config["models"]["minilm_l6"]["hardware"] = {"grad_checkpointing": True, "micro_batch_size": 4}
    return config


def test_hardware_entries_apply_by_size_and_a_model_block_wins():
    plan = build_plan(finetune_config())
    assert plan.hardware("minilm_l1") == {}
    assert plan.hardware("minilm_l6") == {"bf16": True, "micro_batch_size": 4, "grad_checkpointing": True}
    assert plan.hardware("mpnet") == {"bf16": True, "micro_batch_size": 8, "gpus": 2, "device_map": "auto"}


def test_the_plan_resolves_each_models_rates_once_and_the_job_trains_at_them():
    """`lr: null` and `head_lr: auto` are resolved when the plan is built, per model (a job's params say
    the rates it trains at): the model's fine-tuning rate, its architecture's head rate, none for an
    unembedding head, its own where it sets one. The back-end leaves resolved options as they are."""
    from weak2strong.models.registry import HEAD_LR, resolve_model
    from weak2strong.training.options import resolve_rates

    config = finetune_config()
    config["regimes"]["finetune"] = {"lr": None, "head_lr": "auto", "batch_size": 32, "epochs": 2}
    config["models"]["mpnet"] = {**config["models"]["mpnet"], "head_lr": 3e-3}
    plan = build_plan(config)
    for name in ("minilm_l1", "minilm_l6"):
        options = plan.train_options(name, "movie_sentiment")
        assert (options["lr"], options["head_lr"]) == (plan.models[name].finetune_lr, HEAD_LR["encoder"]), name
    assert plan.train_options("mpnet")["head_lr"] == 3e-3
    config["regimes"]["finetune"]["lr"] = 2e-5  # a number is kept
    assert build_plan(config).train_options("minilm_l6")["lr"] == 2e-5
    paper = resolve_model("d", {"backbone": "gpt2", "head_init": "unembedding"})
    assert resolve_rates({"lr": None, "head_lr": "auto"}, paper) == {"lr": paper.finetune_lr, "head_lr": None}
    resolved = {"lr": 1e-5, "head_lr": 1e-3}
    assert resolve_rates(resolved, paper) == resolved


def job_resources(stdout: str) -> dict[tuple[str, str], dict[str, str]]:
    """(rule, wildcards) -> resources, from a dry run's job listing."""
    out = {}
    for block in stdout.split("\nrule ")[1:]:
        rule = block.split(":", 1)[0]
        wildcards = re.search(r"wildcards: (.*)", block)
        resources = re.search(r"resources: (.*)", block)
        if wildcards and resources:
            out[(rule, wildcards.group(1))] = dict(kv.split("=", 1) for kv in resources.group(1).split(", "))
    return out


def test_a_dry_run_gives_each_job_its_models_gpus(tmp_path):
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(finetune_config()))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "2", "--resources", "gpu=4"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = job_resources(result.stdout)
    trained = {}  # (rule, the model a training job trains) -> GPUs asked for
    for (rule, wildcards), resources in jobs.items():
        if rule.startswith("train_"):
            wc = dict(kv.split("=", 1) for kv in wildcards.split(", "))
            trained[(rule, wc.get("strong", wc.get("weak")))] = int(resources["gpu"])
    assert trained[("train_ceiling", "mpnet")] == 2 and trained[("train_student", "mpnet")] == 2
    assert trained[("train_ceiling", "minilm_l6")] == 1 and trained[("train_weak", "minilm_l1")] == 1
    features = {wc: int(r["gpu"]) for (rule, wc), r in jobs.items() if rule == "extract_features"}
    assert not features  # fine-tuning reads no cached features


def test_hardware_reaches_fine_tuning_options_but_not_linear_probes():
    for regime, applies in (("finetune", True), ("linear_probe", False)):
        config = finetune_config()
        config["experiment"]["regime"] = regime
        plan = build_plan(config)
        options = plan.train_options("mpnet")
        assert options["name"] == regime
        assert ("micro_batch_size" in options and options.get("bf16") is True) is applies
        assert plan.processes("mpnet") == (2 if applies else 1)
        assert "gpus" not in options and "device_map" not in options  # where it runs, not how it trains
    # the options are TrainConfig fields
    from weak2strong.experiment import regime_from_params

    regime = regime_from_params({**build_plan(finetune_config()).train_options("minilm_l6"), "lr": 1e-5})
    assert (regime.train.micro_batch_size, regime.train.grad_checkpointing, regime.train.bf16) == (4, True, True)


def test_a_model_sets_its_own_lora_rank_and_targets_in_the_lora_regime():
    config = finetune_config()
    config["experiment"]["regime"] = "lora"
    config["regimes"]["lora"] = {"lr": 1e-4, "batch_size": 32, "epochs": 2, "lora_r": 8}
    config["models"]["mpnet"].update(lora_r=32, lora_alpha=64, lora_target_modules=["q", "k", "v"])
    plan = build_plan(config)
    assert (plan.train_options("mpnet")["lora_r"], plan.train_options("mpnet")["lora_target_modules"]) == (32, ["q", "k", "v"])
    assert plan.train_options("minilm_l6")["lora_r"] == 8 and "lora_target_modules" not in plan.train_options("minilm_l6")


@pytest.mark.slow
def test_device_map_extraction_gives_the_same_features(test_resources, minilm, monkeypatch):
    from transformers import AutoModel

    from weak2strong.models.backbone import load_backbone, load_tokenizer
    from weak2strong.models.features import embed_texts
    from weak2strong.models.registry import resolve_model

    seen = []  # the device_map each weight load was given: the option must reach transformers
    original = AutoModel.from_pretrained.__func__
    monkeypatch.setattr(AutoModel, "from_pretrained",
                        classmethod(lambda cls, *a, **kw: seen.append(kw.get("device_map")) or original(cls, *a, **kw)))

    spec = resolve_model("minilm_l2", {"backbone": "minilm-l6", "layer": 2})
    tokenizer = load_tokenizer(spec, test_resources)
    texts = ["a short one", "a somewhat longer sentence about nothing in particular", "third"]
    plain, _ = embed_texts(load_backbone(spec, test_resources), tokenizer, texts, "mean", 2, 32, 2, "cpu")
    # On a CPU-only machine accelerate's "auto" map is one device; spreading over several GPUs
    # needs a machine with several.
    mapped, _ = embed_texts(load_backbone(spec, test_resources, device_map="auto"), tokenizer, texts, "mean", 2, 32, 2, "cpu")
    assert seen == [None, "auto"]
    torch.testing.assert_close(plain, mapped)


def test_bf16_autocast_runs_on_cpus_only_with_native_bf16_units(monkeypatch, caplog):
    """bf16 on a CPU is 4× faster than fp32 with native bf16 matrix units and slower without them
    (emulated): it is used where the CPU has them and refused, with a warning, where it does not."""
    import torch

    from weak2strong.models import precision

    cpu = torch.device("cpu")
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    precision._warn_once.cache_clear()
    with caplog.at_level("WARNING"):
        with precision.autocast(cpu, True):
            assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    assert "no native bf16 units" in caplog.text
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    with precision.autocast(cpu, True):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    with precision.autocast(cpu, False):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32


def test_bf16_auto_uses_native_units_and_falls_back_to_fp32_without_a_warning(monkeypatch, caplog):
    import torch

    from weak2strong.models import precision

    cpu = torch.device("cpu")
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    precision._warn_once.cache_clear()
    with caplog.at_level("WARNING"):
        with precision.autocast(cpu, "auto"):
            assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    assert "bf16" not in caplog.text
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    with precision.autocast(cpu, "auto"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    assert precision.bf16_applies(torch.device("cuda"), "auto")
    with pytest.raises(ValueError, match="true, false or auto"):
        precision.bf16_applies(cpu, "yes")

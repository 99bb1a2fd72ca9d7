"""Bad input stops with a clear error that names the file, the field and the fix."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from weak2strong.data.prepare import build_examples
from weak2strong.data.registry import resolve_dataset
from weak2strong.errors import ConfigError, DatasetError, ModelNotFoundError
from weak2strong.models.backbone import load_tokenizer
from weak2strong.models.registry import resolve_model
from weak2strong.plan import build_plan

REPO = Path(__file__).resolve().parents[1]


def default_config() -> dict:
    return yaml.safe_load((REPO / "config/config.yaml").read_text())


def dry_run(tmp_path: Path, config: dict) -> subprocess.CompletedProcess:
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "1"],
        capture_output=True, text=True,
    )


@pytest.mark.slow
def test_config_failing_the_schema_stops_before_any_job(tmp_path):
    config = default_config()
    config["seeds"] = "ten"
    result = dry_run(tmp_path, config)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "seeds" in out and "ten" in out
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_config_with_unknown_key_is_refused(tmp_path):
    config = default_config()
    config["regimes"]["linear_probe"]["learning_rate"] = 0.1  # typo for lr
    result = dry_run(tmp_path, config)
    assert result.returncode != 0 and "learning_rate" in result.stdout + result.stderr


@pytest.mark.slow
def test_default_config_dry_run_builds_the_dag(tmp_path):
    result = dry_run(tmp_path, default_config())
    assert result.returncode == 0, result.stderr[-3000:]
    assert "train_student" in result.stdout


def test_weak_model_missing_from_models_names_the_key():
    config = default_config()
    config["experiment"]["weak"] = ["gpt2-tiny"]
    with pytest.raises(ConfigError, match=r"experiment.weak names 'gpt2-tiny'"):
        build_plan(config)


def test_unknown_backbone_names_the_registry():
    with pytest.raises(ConfigError, match="not in the model registry"):
        resolve_model("m", {"backbone": "no-such-model"})


def test_unknown_hub_model_offline_is_a_clear_error(tmp_path):
    spec = resolve_model("m", {"backbone": "x", "hub_id": "nobody/no-such-model-w2s", "arch": "decoder", "n_layers": 2})
    with pytest.raises(ModelNotFoundError, match="HF_HUB_OFFLINE=1"):
        load_tokenizer(spec, tmp_path)


def test_packaged_model_not_fetched_says_which_rule(tmp_path):
    with pytest.raises(ModelNotFoundError, match="fetch_model"):
        load_tokenizer(resolve_model("m", {"backbone": "mpnet-base"}), tmp_path)


def test_one_class_local_dataset_is_a_clear_error(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text,y\n" + "".join(f"example {i},1\n" for i in range(50)))
    spec = resolve_dataset("one", {"source": "local", "path": str(path), "text_field": "text", "label_field": "y"})
    from weak2strong.data.local import load_local_records

    with pytest.raises(DatasetError, match="every example has label 1"):
        build_examples(spec, load_local_records(path, "text", "y"), seed=0)


def test_missing_local_file_names_the_config_field(tmp_path):
    from weak2strong.data.local import load_local_records

    with pytest.raises(DatasetError, match="fix 'path'"):
        load_local_records(tmp_path / "nope.csv", "text", "label")


def test_linear_probe_needs_a_learning_rate():
    config = default_config()
    config["regimes"]["linear_probe"]["lr"] = None
    with pytest.raises(ConfigError, match="regimes.linear_probe.lr"):
        build_plan(config)


def test_bootstrap_chain_must_grow():
    config = default_config()
    config["bootstrap"] = {"chains": {"backwards": ["mpnet", "minilm_l6", "minilm_l1"]}}
    with pytest.raises(ConfigError, match="smaller to larger"):
        build_plan(config)


def test_logconf_alpha_max_auto_follows_the_paper():
    config = default_config()
    config["losses"]["logconf"]["alpha_max"] = "auto"
    plan = build_plan(config)
    assert plan.loss_options("logconf", "mpnet")["alpha_max"] == 0.75  # the largest strong model
    assert plan.loss_options("logconf", "minilm_l6")["alpha_max"] == 0.5


def test_unembedding_head_init_with_linear_probes_is_refused_not_ignored():
    config = default_config()
    config["models"]["mpnet"]["head_init"] = "unembedding"
    with pytest.raises(ConfigError, match=r"models.mpnet.head_init: unembedding applies to fine-tuning"):
        build_plan(config)
    config["experiment"]["regime"] = "finetune"
    config["regimes"]["finetune"] = {"lr": None, "batch_size": 32, "epochs": 2}
    build_plan(config)


def test_a_figure_showing_a_method_that_is_not_run_is_refused_before_any_job():
    config = default_config()
    config["experiment"]["losses"] = ["xent", "logconf"]
    config["figures"]["dynamics"] = {"losses": ["xent", "product"]}
    with pytest.raises(ConfigError, match=r"figures.dynamics.losses names \['product'\]"):
        build_plan(config)


def test_loss_names_and_options_are_checked_against_the_loss_classes():
    config = default_config()
    config["losses"]["logconf"]["alpha"] = 0.5  # logconf's option is alpha_max
    with pytest.raises(ConfigError, match=r"losses.logconf: unknown option\(s\) \['alpha'\]; logconf takes \['alpha_max', 'warmup_frac'\]"):
        build_plan(config)
    config = default_config()
    config["losses"]["logcnf"] = {}
    with pytest.raises(ConfigError, match=r"losses.logcnf: no such method"):
        build_plan(config)
    config = default_config()
    config["experiment"]["losses"] = ["xent", "logcnf"]
    with pytest.raises(ConfigError, match=r"experiment.losses: unknown loss 'logcnf'"):
        build_plan(config)
    config = default_config()
    config["bootstrap"]["loss"] = "logcnf"
    with pytest.raises(ConfigError, match=r"bootstrap.loss: unknown loss 'logcnf'"):
        build_plan(config)


def test_a_new_method_needs_no_schema_entry(tmp_path):
    """Registering a loss class in LOSSES is enough for the config to name it and set its options."""
    from dataclasses import dataclass

    from weak2strong import losses

    @dataclass
    class Halved(losses.Xent):
        factor: float = 0.5

    config = default_config()
    config["experiment"]["losses"] = ["xent", "halved"]
    config["losses"]["halved"] = {"factor": 0.25}
    config["simulated"]["losses"] = ["halved"]
    config["figures"] = {"dpi": 150, "format": "png"}
    with losses.LOSSES.added(Halved, "halved"):
        plan = build_plan(config)
    assert plan.losses == ["xent", "halved"] and plan.loss_options("halved") == {"factor": 0.25}
    from weak2strong.config_check import validate_config

    validate_config(config, REPO)  # the core schema and the families' (simulated.losses), as a run checks them


@pytest.mark.parametrize("name", [".", "..", ".hidden"])
def test_dataset_and_model_names_that_are_not_folder_names_are_refused(name):
    """"." and ".." passed the old pattern and moved a dataset's outputs one folder up."""
    from weak2strong.config_check import validate_config

    for section in ("datasets", "models"):
        config = default_config()
        config[section][name] = next(iter(config[section].values()))
        with pytest.raises(ConfigError, match="does not match"):
            validate_config(config, REPO, fill_defaults=False)
    validate_config(default_config(), REPO, fill_defaults=False)


def test_hub_models_load_at_their_pinned_revision_and_refuse_pickled_weights(monkeypatch, tmp_path):
    """`revision` reaches transformers (tokenizer, config and weights); weights load with
    use_safetensors=True unless the model opts out; packaged models get neither."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from weak2strong.models.backbone import load_backbone

    seen = {}

    def record(kind):
        def fake(cls, location, **kw):
            seen[kind] = kw
            raise OSError("stop here: no network in tests")
        return classmethod(fake)

    monkeypatch.setattr(AutoConfig, "from_pretrained", record("config"))
    monkeypatch.setattr(AutoModel, "from_pretrained", record("weights"))
    monkeypatch.setattr(AutoTokenizer, "from_pretrained", record("tokenizer"))
    spec = resolve_model("m", {"backbone": "gpt2", "revision": "607a30d"})
    with pytest.raises(ModelNotFoundError):
        load_backbone(spec, tmp_path)
    with pytest.raises(ModelNotFoundError):
        load_tokenizer(spec, tmp_path)
    assert seen["config"]["revision"] == "607a30d" and seen["tokenizer"]["revision"] == "607a30d"
    monkeypatch.setattr(AutoConfig, "from_pretrained", classmethod(lambda cls, loc, **kw: __import__("transformers").GPT2Config()))
    with pytest.raises(ModelNotFoundError):
        load_backbone(spec, tmp_path)
    assert seen["weights"]["revision"] == "607a30d" and seen["weights"]["use_safetensors"] is True
    with pytest.raises(ModelNotFoundError):
        load_backbone(resolve_model("m", {"backbone": "gpt2", "use_safetensors": False}), tmp_path)
    assert seen["weights"]["use_safetensors"] is False and seen["weights"]["revision"] is None


def test_hub_datasets_load_at_their_pinned_revision(monkeypatch):
    import datasets

    from weak2strong.data.prepare import load_records
    from weak2strong.data.registry import DATASETS

    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **kw: calls.append(kw) or [{"sentence": "ok", "label": 1}])
    records = load_records(DATASETS["sst2"], revision="refs/convert/parquet")
    assert [c["revision"] for c in calls] == ["refs/convert/parquet"] * 2 and len(records) == 2


def test_a_damaged_cached_artefact_names_itself_and_the_fix(tmp_path):
    """A truncated Parquet or safetensors file in results/ (a full disk, a copy cut short) is an
    error that names the file and says to delete it and rerun, which (with every artefact a target
    of `all`) rebuilds it."""
    import pandas as pd
    import torch
    from safetensors.torch import save_file

    from weak2strong.io import ArtifactError, read_parquet
    from weak2strong.models.features import load_features

    good = tmp_path / "labels.parquet"
    pd.DataFrame({"id": [f"e{i}" for i in range(200)], "soft_label": [0.5] * 200}).to_parquet(good)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(ArtifactError, match=r"cut.parquet cannot be read.*delete it and rerun snakemake"):
        read_parquet(cut)
    features = tmp_path / "f.safetensors"
    save_file({"features": torch.zeros(10, 4)}, str(features), metadata={"ids": "[]"})
    cut_features = tmp_path / "cut.safetensors"
    cut_features.write_bytes(features.read_bytes()[:60])
    with pytest.raises(ArtifactError, match=r"cut.safetensors cannot be read.*delete it"):
        load_features(str(cut_features))


@pytest.mark.slow
def test_a_bad_local_file_fails_its_job_with_the_message_not_a_traceback(tmp_path, test_resources):
    """Through the workflow: the job that reads the file fails, and its log holds the error that
    names the file, the column and the fix, not a Python traceback (a traceback means a bug)."""
    import pandas as pd

    from workflow_helpers import snakemake, tiny_config

    data = tmp_path / "reviews.csv"
    pd.DataFrame({"text": [f"review {i}" for i in range(40)], "sentiment": ["pos", "neg"] * 20}).to_csv(data, index=False)
    config = tiny_config(data, test_resources)  # names the text column "sentence": there is none
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(tmp_path, "results/data/reviews/examples.parquet", check=False)
    assert result.returncode != 0
    log = (tmp_path / "logs/prepare_dataset/reviews.log").read_text()
    assert "has no column 'sentence'" in log and "its columns are ['text', 'sentiment']" in log
    assert "Traceback" not in log


@pytest.mark.slow
def test_a_key_given_twice_in_a_config_file_stops_the_run(tmp_path):
    """Two ``minilm_l6:`` entries under models: YAML keeps the last silently; now the dry run stops
    naming the file, the key and both lines. A key repeated in different blocks is fine."""
    text = (REPO / "config/config.yaml").read_text()
    models = text.index("\nmodels:\n") + len("\nmodels:\n")
    entry = next(line for line in text[models:].splitlines() if line.strip().startswith("minilm_l6:"))
    (tmp_path / "config.yaml").write_text(text[:models] + entry.replace("minilm_l6:", "minilm_l6: ") + "\n" + text[models:])
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(tmp_path / "config.yaml"), "--cores", "1"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "the key 'minilm_l6' is given twice in one block" in result.stdout + result.stderr
    from weak2strong.workflow_support import check_config_files

    (tmp_path / "ok.yaml").write_text("a: {x: 1}\nb: {x: 2}\n")
    check_config_files([tmp_path / "ok.yaml"])


def _tiny_bert(folder: Path, safe: bool) -> Path:
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                        max_position_embeddings=32)
    model = BertModel(config)
    model.save_pretrained(folder)
    if not safe:  # as older checkpoints are published: pickled weights only (transformers 5 writes safetensors)
        import torch

        for f in folder.glob("*.safetensors"):
            f.unlink()
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    return folder


def test_a_model_folder_with_only_pickled_weights_says_how_to_convert_or_opt_in(tmp_path):
    """Before: an offline-cache hint. Now: what is there, how to convert it, or the opt-in."""
    from weak2strong.models.backbone import load_backbone

    folder = _tiny_bert(tmp_path / "bert-bin", safe=False)
    assert (folder / "pytorch_model.bin").exists() and not list(folder.glob("*.safetensors"))
    spec = resolve_model("mine", {"backbone": "mine", "hub_id": str(folder), "arch": "encoder", "n_layers": 1})
    with pytest.raises(ModelNotFoundError, match=r"no safetensors weights, only pickled ones \(pytorch_model.bin\).*Convert.*"
                                                 r"use_safetensors: false` under models.mine"):
        load_backbone(spec, tmp_path)
    opted_in = resolve_model("mine", {"backbone": "mine", "hub_id": str(folder), "arch": "encoder", "n_layers": 1,
                                      "use_safetensors": False})
    assert load_backbone(opted_in, tmp_path).config.hidden_size == 16


def test_a_window_longer_than_the_models_positions_names_the_setting(tmp_path):
    """Before: an index error inside the embedding layer."""
    from weak2strong.models.backbone import check_window, load_backbone, positions_of

    folder = _tiny_bert(tmp_path / "bert", safe=True)
    spec = resolve_model("mine", {"backbone": "mine", "hub_id": str(folder), "arch": "encoder", "n_layers": 1})
    model = load_backbone(spec, tmp_path)
    check_window(model, spec, 32)
    with pytest.raises(ConfigError, match=r"a window of 33 tokens for models.mine is more than mine reads \(32 positions\); "
                                          r"set models.mine.max_length"):
        check_window(model, spec, 33)
    from transformers import MPNetConfig

    assert positions_of(MPNetConfig(max_position_embeddings=514, pad_token_id=1)) == 512  # positions start after padding


def test_a_checkpoint_whose_weights_do_not_load_is_an_error_not_random_features(tmp_path):
    """A checkpoint saved with a 'module.' prefix: transformers initialises every weight at random and
    only logs it; now the load stops, naming what is missing."""
    from safetensors.torch import load_file, save_file

    from weak2strong.models.backbone import load_backbone

    folder = _tiny_bert(tmp_path / "bert", safe=True)
    spec = resolve_model("mine", {"backbone": "mine", "hub_id": str(folder), "arch": "encoder", "n_layers": 1})
    assert load_backbone(spec, tmp_path).config.hidden_size == 16  # its own weights load
    weights = load_file(folder / "model.safetensors")
    save_file({f"module.{k}": v for k, v in weights.items()}, folder / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ModelNotFoundError, match=r"weights are not in the checkpoint and would be random.*"
                                                 r"'embeddings.LayerNorm.bias'.*match nothing.*'module.embeddings"):
        load_backbone(spec, tmp_path)


def test_option_defaults_come_from_the_schema_alone():
    """The plan reads the schema's defaults, so a plan built without Snakemake's validation (tests,
    scripts) gets the ones a run gets; a changed default in the schema changes both."""
    from weak2strong.config_schema import block_defaults

    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    config = default_config()
    config.pop("metrics", None)
    plan = build_plan(config)
    assert plan.metrics.as_params() == {k: v["default"] for k, v in schema["properties"]["metrics"]["properties"].items()}
    assert block_defaults("metrics")["ci_level"] == 0.95 and block_defaults("features") == {"max_length": 128, "batch_size": 64}
    # a model's gft block: an option left out is the schema's default, as after Snakemake's validation
    from weak2strong.models.registry import BACKBONES, gft_options

    gft = schema["properties"]["models"]["additionalProperties"]["properties"]["gft"]["properties"]
    given = dict(gft_options("dec", BACKBONES["smollm2-135m"], {"epochs": 2.0}))
    assert given == {k: v["default"] for k, v in gft.items()} | {"epochs": 2.0} and given["lr"] == 2e-4

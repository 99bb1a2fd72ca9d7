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


def test_config_failing_the_schema_stops_before_any_job(tmp_path):
    config = default_config()
    config["seeds"] = "ten"
    result = dry_run(tmp_path, config)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "seeds" in out and "ten" in out
    assert not (tmp_path / "results").exists()


def test_config_with_unknown_key_is_refused(tmp_path):
    config = default_config()
    config["regimes"]["linear_probe"]["learning_rate"] = 0.1  # typo for lr
    result = dry_run(tmp_path, config)
    assert result.returncode != 0 and "learning_rate" in result.stdout + result.stderr


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
    from weak2strong.data.sources import load_local_records

    with pytest.raises(DatasetError, match="every example has label 1"):
        build_examples(spec, load_local_records(path), seed=0)


def test_missing_local_file_names_the_config_field(tmp_path):
    from weak2strong.data.sources import load_local_records

    with pytest.raises(DatasetError, match="fix 'path'"):
        load_local_records(tmp_path / "nope.csv")


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


def test_a_new_method_needs_no_schema_entry(tmp_path, monkeypatch):
    """Registering a loss class in LOSSES is enough for the config to name it and set its options."""
    from dataclasses import dataclass

    from weak2strong import losses

    @dataclass
    class Halved(losses.Xent):
        factor: float = 0.5

    monkeypatch.setitem(losses.LOSSES, "halved", Halved)
    config = default_config()
    config["experiment"]["losses"] = ["xent", "halved"]
    config["losses"]["halved"] = {"factor": 0.25}
    config["figures"] = {"dpi": 150, "format": "png"}
    plan = build_plan(config)
    assert plan.losses == ["xent", "halved"] and plan.loss_options("halved") == {"factor": 0.25}
    from jsonschema import validate as validate_schema  # what Snakemake's validate uses

    validate_schema(config, yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text()))

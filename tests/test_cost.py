"""The cost estimate on a config small enough to compute by hand: jobs per rule and GPUs from the
dry run, FLOPs from the split sizes, the window, the epochs and the models' sizes."""

from pathlib import Path

import pytest
import yaml

from weak2strong.cost import dry_run_jobs, main, merged_config, plan_flops
from weak2strong.plan import build_plan

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def overlay(tmp_path):
    (tmp_path / "data.jsonl").write_text("".join(f'{{"text": "t{i}", "y": {i % 2}}}\n' for i in range(400)))
    model = {"hub_id": str(tmp_path / "no-model"), "arch": "decoder", "n_layers": 2}
    config = {
        "seeds": 2,
        "datasets": {"movie_sentiment": None, "nyt_editorial_sentiment": None,
                     "mine": {"source": "local", "path": str(tmp_path / "data.jsonl"), "text_field": "text", "label_field": "y",
                              "split_sizes": {"train_a": 100, "train_b": 200, "test": 50}}},
        "models": {"minilm_l1": None, "minilm_l2": None, "minilm_l6": None, "mpnet": None,
                   "small": {**model, "n_params": 10.0}, "big": {**model, "n_params": 30.0}},
        "experiment": {"regime": "finetune", "weak": ["small"], "strong": ["big"], "losses": ["xent"]},
        "bootstrap": None, "easy_to_hard": None, "simulated": None,
        "regimes": {"finetune": {"lr": None, "batch_size": 32, "epochs": 2, "max_length": 64}},
        "hardware": [{"min_params": 0, "bf16": "auto"}, {"min_params": 20, "grad_checkpointing": True}],
        "figures": {f: {"losses": ["xent"]} for f in ("accuracy_vs_strong", "agreement", "dynamics")},
    }
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(config))
    return [str(REPO / "config/config.yaml"), str(path)]


def test_flops_are_the_hand_computed_ones(overlay):
    plan = build_plan(merged_config(overlay))
    flops, notes = plan_flops(plan)
    seeds, window, epochs = 2, 64, 2
    small, big = 10e6, 30e6
    assert flops["train_weak"] == pytest.approx([seeds * 6 * small * window * 100 * epochs, seeds * 2 * small * window * (200 + 50)])
    # the strong model recomputes its forward pass (grad_checkpointing from its hardware entry): 8N
    ceiling = [seeds * 8 * big * window * 200 * epochs, seeds * 2 * big * window * (200 + 50)]
    assert flops["train_ceiling"] == pytest.approx(ceiling) and flops["train_student"] == pytest.approx(ceiling)
    assert set(flops) == {"train_weak", "train_ceiling", "train_student"} and not notes


def test_jobs_and_gpus_come_from_the_dry_run(overlay, tmp_path, capsys):
    jobs = dry_run_jobs(overlay, tmp_path)
    by_rule = {}
    for rule, gpus in jobs:
        by_rule.setdefault(rule, []).append(gpus)
    # fine-tuning: a job per seed, each asking for one GPU, gathered per cell (labels, ceiling, student) by collect_seeds
    assert {r: len(g) for r, g in by_rule.items() if r.startswith(("train_", "collect", "split", "prepare"))} == {
        "train_weak": 2, "train_ceiling": 2, "train_student": 2, "collect_seeds": 3, "split_dataset": 2, "prepare_dataset": 1}
    assert set(by_rule["train_student"]) == {1} and set(by_rule["split_dataset"]) == {0}
    assert main(["--configfile", *overlay, "--tflops", "1e-3", "--directory", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    total = 2 * (6 * 10e6 * 64 * 200 + 2 * 10e6 * 64 * 250) + 2 * 2 * (8 * 30e6 * 64 * 400 + 2 * 30e6 * 64 * 250)
    hours = float(out.split("| **total** |")[1].split("|")[4].replace(",", ""))
    assert hours == pytest.approx(total / 1e9 / 3600, rel=1e-3)
    assert "1e-3" not in out and "0.001 TFLOP/s per GPU (given (--tflops))" in out


def test_the_cost_of_the_paper_overlay_in_docs_gpu_md_is_the_commands_output(monkeypatch, tmp_path):
    """docs/gpu.md's table is written by `python -m weak2strong.cost ... --write docs/gpu.md`; it may not
    drift from what the command prints for the committed overlay. (The dry run works in a folder of its
    own: the repository's .snakemake/ is other tests' to use at the same time.)"""
    from weak2strong.cost import report

    monkeypatch.chdir(REPO)
    text = (REPO / "docs/gpu.md").read_text()
    block = text.split("<!-- generated:cost -->\n")[1].split("<!-- /generated:cost -->")[0]
    assert block.strip() == report(["config/config.yaml", "config/paper.yaml"], None, False, tmp_path).strip()

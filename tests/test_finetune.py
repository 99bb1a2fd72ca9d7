"""Full fine-tuning path (backbone + head) on a tiny, separable task with a cut MiniLM."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from weak2strong.experiment import Regime, regime_from_params, strong_ceiling
from weak2strong.models.registry import resolve_model
from weak2strong.training.loop import TrainConfig
from weak2strong.training.options import LoraOptions, LpFtOptions

from synthetic import toy_splits

pytestmark = pytest.mark.slow


def test_finetuning_learns_a_separable_task(test_resources, minilm):
    torch.set_num_threads(2)
    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("finetune", TrainConfig(lr=1e-4, batch_size=16, epochs=4), max_length=16)
    splits = toy_splits()
    preds, result = strong_ceiling(regime, spec, splits, seed=0, dataset="toy", resources_dir=str(test_resources))
    test = preds[preds["split"] == "test"]
    assert (test["hard_label"] == test["gt_label"]).mean() >= 0.95
    assert result.losses[-1] < result.losses[0]


def test_a_head_at_the_backbones_rate_never_grows_its_logits_and_head_lr_fixes_it(test_resources, minilm):
    """The degenerate supervisor measured on a GPU: a zero head trained at the backbone's 5e-5 on
    small-norm pooled encoder features stays at p = 0.5 ± 0.01 although the task is easy; with its
    own rate (head_lr) its labels carry real confidence."""
    from weak2strong.experiment import weak_labels

    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    splits = toy_splits()
    confidence = {}
    for head_lr in (None, 1e-2):
        regime = Regime("finetune", TrainConfig(lr=5e-5, head_lr=head_lr, batch_size=16, epochs=2), max_length=16)
        _, result = weak_labels(regime, spec, splits, seed=0, dataset="toy", resources_dir=str(test_resources))
        confidence[head_lr] = result.extra["weak_confidence"]
    assert confidence[None] < 0.05 and confidence[1e-2] > 0.3, confidence


def test_the_head_gets_its_own_rate_and_the_backbone_keeps_lr():
    from weak2strong.training.loop import param_groups

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = torch.nn.Linear(3, 4)
            self.head = torch.nn.Linear(4, 2)

    model = Model()
    groups = param_groups(model, TrainConfig(lr=5e-5, head_lr=1e-2))
    assert [(g["lr"], len(g["params"])) for g in groups] == [(1e-2, 2), (5e-5, 2)]
    assert groups[0]["params"][0] is model.head.weight
    assert [(g["lr"], len(g["params"])) for g in param_groups(model, TrainConfig(lr=5e-5))] == [(5e-5, 4)]
    model.backbone.requires_grad_(False)  # LP-FT's first phase: the head alone
    assert [(g["lr"], len(g["params"])) for g in param_groups(model, TrainConfig(lr=5e-5, head_lr=1e-2))] == [(1e-2, 2)]


def test_finetuning_is_deterministic_for_a_seed(test_resources, minilm):
    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("finetune", TrainConfig(lr=1e-4, batch_size=16, epochs=1), max_length=16)
    splits = toy_splits(16)
    a, _ = strong_ceiling(regime, spec, splits, seed=3, dataset="toy", resources_dir=str(test_resources))
    b, _ = strong_ceiling(regime, spec, splits, seed=3, dataset="toy", resources_dir=str(test_resources))
    np.testing.assert_allclose(a["soft_label"], b["soft_label"], rtol=1e-5)


@pytest.mark.parametrize("regime_name", ["lora", "lp_ft"])
def test_lora_and_lp_ft_learn_a_separable_task(test_resources, minilm, regime_name):
    spec = resolve_model("minilm_l2", {"backbone": "minilm-l6", "layer": 2})
    options = {"lora": dict(lr=2e-3, lora_r=4, lora_alpha=8), "lp_ft": dict(lr=1e-4, lp_epochs=2, lp_lr=5e-3)}[regime_name]
    regime = regime_from_params({"name": regime_name, "batch_size": 16, "epochs": 4, **options, "max_length": 16})
    preds, _ = strong_ceiling(regime, spec, toy_splits(), seed=0, dataset="toy", resources_dir=str(test_resources))
    test = preds[preds["split"] == "test"]
    assert (test["hard_label"] == test["gt_label"]).mean() >= 0.9


def test_lp_ft_second_phase_trains_the_head_at_lr_past_the_losses_warm_up(test_resources, minilm, monkeypatch):
    """LP-FT: the probe phase fits the head; phase 2 trains every weight at ``lr``, the head included
    (a head rate of its own would retrain the probed head), and the loss's warm-up is not run again."""
    from weak2strong.errors import ConfigError
    from weak2strong.experiment import student
    from weak2strong.losses import LogConf
    from weak2strong.plan import build_plan
    from weak2strong.training import finetune

    phases = []

    def recording_train(model, make_batch, targets, loss_fn, cfg, seed, desc="", **kw):
        phases.append((desc, cfg, loss_fn))
        return finetune.TrainResult(steps=1, losses=[0.0])

    monkeypatch.setattr(finetune, "train", recording_train)
    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("lp_ft", TrainConfig(lr=1e-4, head_lr=0.01, batch_size=16, epochs=1), max_length=16,
                    options=LpFtOptions(lp_epochs=1, lp_lr=5e-3))
    splits = toy_splits()
    labels = splits[splits["split"].isin(["train_b", "test"])].assign(soft_label=lambda t: 0.2 + 0.6 * t["label"], weak_model="w")
    student(regime, spec, splits, labels, "logconf", {"alpha_max": 0.5, "warmup_frac": 0.2}, seed=0, dataset="toy",
            resources_dir=str(test_resources))
    (_, probe_cfg, probe_loss), (_, ft_cfg, ft_loss) = phases
    assert probe_cfg.lr == 5e-3 and probe_cfg.head_lr is None and ft_cfg.lr == 1e-4 and ft_cfg.head_lr is None
    logits, weak = torch.tensor([[0.0, 2.0], [1.0, 0.0], [0.0, 0.5], [0.3, 0.0]]), torch.tensor([0.6, 0.4, 0.3, 0.7])
    assert probe_loss(logits, weak, 0.0).item() == pytest.approx(LogConf(0.5, 0.2)(logits, weak, 0.0).item())  # warm-up: alpha 0
    assert ft_loss(logits, weak, 0.0).item() == pytest.approx(LogConf(0.5, 0.2)(logits, weak, 1.0).item())  # past it: alpha 0.5
    assert ft_loss(logits, weak, 0.0).item() != pytest.approx(probe_loss(logits, weak, 0.0).item())
    config = __import__("yaml").safe_load(open("config/config.yaml"))
    config["regimes"]["lp_ft"] = {**config["regimes"]["finetune"], "head_lr": 0.01}
    config["experiment"]["regime"] = "lp_ft"
    with pytest.raises(ConfigError, match="regimes.lp_ft.head_lr"):
        build_plan(config)


def test_lora_trains_adapters_and_head_only(test_resources, minilm):
    from weak2strong.training.finetune import apply_lora, build_classifier

    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    model, _ = build_classifier(spec, str(test_resources), "cpu")
    model = apply_lora(model, LoraOptions(lora_r=4))
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n or n.startswith("head.") for n in trainable)
    assert any(n.startswith("head.") for n in trainable)


def test_gradient_accumulation_matches_the_full_batch():
    from weak2strong.losses import Xent
    from weak2strong.training.probe import fit_probe, probe_predict

    x = torch.randn(96, 6, generator=torch.Generator().manual_seed(1))
    y = (x[:, 0] + 0.3 * x[:, 1] > 0).float().numpy()
    full, _ = fit_probe(x, y, Xent(), TrainConfig(lr=0.01, batch_size=32, epochs=3), seed=0)
    accum, _ = fit_probe(x, y, Xent(), TrainConfig(lr=0.01, batch_size=32, epochs=3, grad_accum=4), seed=0)
    np.testing.assert_allclose(probe_predict(full, x), probe_predict(accum, x), atol=1e-5)
    # micro-batches of at most 5 (7 uneven pieces of 32) are the same effective batch too
    micro, _ = fit_probe(x, y, Xent(), TrainConfig(lr=0.01, batch_size=32, epochs=3, micro_batch_size=5), seed=0)
    np.testing.assert_allclose(probe_predict(full, x), probe_predict(micro, x), atol=1e-5)
    # and a different batch size is not: the comparison can fail
    other, _ = fit_probe(x, y, Xent(), TrainConfig(lr=0.01, batch_size=8, epochs=3), seed=0)
    assert np.abs(probe_predict(full, x) - probe_predict(other, x)).max() > 1e-3


def test_micro_batches_weigh_each_piece_by_its_share_of_the_batch():
    from weak2strong.training.loop import micro_batches

    pieces = micro_batches(np.arange(10), 10, TrainConfig(lr=1.0, micro_batch_size=4))
    assert [len(mb.pos) for mb, _ in pieces] == [4, 3, 3]
    assert [w for _, w in pieces] == [0.4, 0.3, 0.3]
    assert [mb.last for mb, _ in pieces] == [False, False, True]
    # one process's share of a batch of 10 split over 2 processes: weights are shares of the whole batch
    assert [w for _, w in micro_batches(np.arange(5), 10, TrainConfig(lr=1.0))] == [0.5]
    # a process with no example of a small batch still joins with weight 0
    (empty, weight), = micro_batches(np.arange(0), 1, TrainConfig(lr=1.0))
    assert weight == 0.0 and len(empty.pos) == 1


def test_unembedding_head_init_reads_the_lm_head_from_one_load(tmp_path, minilm):
    """A causal LM (random GPT-2 with MiniLM's vocabulary) as a packaged model: the head starts
    at the LM-head rows of "0" and "1", and the backbone is that LM's own transformer."""
    import shutil

    from transformers import GPT2Config, GPT2LMHeadModel

    from weak2strong.assets import write_model_manifest
    from weak2strong.models.registry import BACKBONES, BackboneSpec, ModelSpec
    from weak2strong.training.finetune import build_classifier

    name = "tiny-gpt2-test"
    dest = tmp_path / "models" / name
    torch.manual_seed(0)
    lm = GPT2LMHeadModel(GPT2Config(vocab_size=30522, n_embd=32, n_layer=2, n_head=2, n_positions=64, tie_word_embeddings=False))
    lm.save_pretrained(dest)
    for f in minilm.iterdir():
        if "token" in f.name or f.name == "vocab.txt":
            shutil.copy(f, dest / f.name)
    write_model_manifest(dest, name)  # as a fetch leaves a packaged model
    backbone = BackboneSpec(name, "packaged", "decoder", 1.0, 2, pooling="last")
    assert name not in BACKBONES
    spec = ModelSpec("tiny", backbone, 2, 1e-4, head_init="unembedding")
    model, tokenizer = build_classifier(spec, str(tmp_path), "cpu")
    ids = [tokenizer.encode(t, add_special_tokens=False)[-1] for t in ("0", "1")]
    torch.testing.assert_close(model.head.weight, lm.lm_head.weight[ids])
    torch.testing.assert_close(model.backbone.wte.weight, lm.transformer.wte.weight)
    assert type(model.backbone).__name__ == "GPT2Model"
    zeros, _ = build_classifier(ModelSpec("tiny", backbone, 2, 1e-4), str(tmp_path), "cpu")
    assert torch.count_nonzero(zeros.head.weight) == 0


def test_early_stopping_restores_the_weights_of_the_best_scoring_step():
    """The model that comes back is the one scored best, not the last one: scores are handed out
    in a fixed order peaking at the 3rd evaluation, and the returned weights are that step's."""
    from weak2strong.losses import Xent
    from weak2strong.training.probe import fit_probe

    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
    y = (x[:, 0] > 0).float().numpy()
    scores, snapshots = iter([0.1, 0.5, 0.9, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.6]), []

    def select(model):
        snapshots.append(model.head.weight.detach().clone())
        return next(scores)

    probe, result = fit_probe(x, y, Xent(), TrainConfig(lr=0.05, epochs=5, batch_size=16, early_stopping="weak_labels"), seed=0,
                              select=select)
    assert len(snapshots) == 10 and result.extra["early_stopping"]["best_step"] == 6  # the 3rd of 10 points of 20 steps
    torch.testing.assert_close(probe.head.weight, snapshots[2])
    assert not torch.allclose(snapshots[2], snapshots[-1])  # training went on after it: the restore mattered


def _early_stopping_task():
    gen = torch.Generator().manual_seed(0)
    n = 200
    feats = torch.randn(3 * n, 4, generator=gen)
    ids = [f"e{i}" for i in range(3 * n)]
    labels_true = (feats[:, 0] > 0).long().numpy()
    splits = pd.DataFrame({"id": ids, "split": ["train_a"] * n + ["train_b"] * n + ["test"] * n, "text": ids,
                           "label": labels_true, "group": ids})
    weak = pd.DataFrame({"id": ids[n:], "split": ["train_b"] * n + ["test"] * n, "gt_label": labels_true[n:],
                         "soft_label": np.where(labels_true[n:] == 1, 0.8, 0.2).astype("float32"), "weak_model": "w"})
    import json
    import os
    import tempfile

    from safetensors.torch import save_file

    path = os.path.join(tempfile.mkdtemp(), "f.safetensors")
    save_file({"features": feats}, path, metadata={"ids": json.dumps(ids)})
    return n, splits, weak, path


@pytest.mark.parametrize("mode", ["weak_labels", "ground_truth"])
def test_early_stopped_students_and_their_ceiling_train_on_the_same_rows(mode):
    """Students hold out a slice of train_b to choose their stopping point; the ceiling they are
    compared with trains on the same rows (not all of train_b), and both report the slice as train_b."""
    from weak2strong.experiment import Regime, strong_ceiling, student

    n, splits, weak, path = _early_stopping_task()
    spec = resolve_model("m", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("linear_probe", TrainConfig(lr=0.01, epochs=3, eval_points=5, early_stopping=mode, holdout_frac=0.2))
    table, result = student(regime, spec, splits, weak, "xent", {}, seed=0, dataset="toy", features_path=path)
    assert result.extra["early_stopping"]["on"] == mode
    ceiling, ceiling_result = strong_ceiling(regime, spec, splits, seed=0, dataset="toy", features_path=path)
    assert result.extra["train_rows"] == ceiling_result.extra["train_rows"] == n - 40  # 20% of train_b held out
    for t in (table, ceiling):
        assert (t["split"] == "train_b").sum() == n and set(t["split"]) == {"train_b", "test"}
    no_stop = Regime("linear_probe", TrainConfig(lr=0.01, epochs=3))
    assert strong_ceiling(no_stop, spec, splits, seed=0, dataset="toy", features_path=path)[1].extra["train_rows"] == n


def test_the_early_stopping_slice_keeps_groups_whole():
    from weak2strong.experiment import holdout_slice

    rows = [{"id": f"b{i}", "split": "train_b", "group": f"g{i // 3}"} for i in range(60)]  # 20 groups of 3
    rows += [{"id": f"t{i}", "split": "test", "group": f"g{i // 3}"} for i in range(30)]  # same group names, other split
    splits = pd.DataFrame(rows)
    held = holdout_slice(splits, 0.2, seed=1)
    assert not held[splits["split"] != "train_b"].any()
    held_groups = set(splits.loc[held, "group"])
    kept = splits[(splits["split"] == "train_b") & ~held]
    assert held_groups and not held_groups & set(kept["group"])  # no group on both sides
    assert held.sum() == 12  # 20% of 60 rows, in whole groups of 3
    assert not np.array_equal(held, holdout_slice(splits, 0.2, seed=2))  # the seed draws another slice


def test_a_reward_model_fine_tunes_on_pairs_and_scores_swapped_pairs_as_one_minus_p(test_resources, minilm):
    """The pair path of the fine-tuning back-end: each completion scored with its prompt, p = sigmoid(r1 − r2)."""
    torch.set_num_threads(2)
    spec = resolve_model("minilm_l1", {"backbone": "minilm-l6", "layer": 1})
    regime = Regime("finetune", TrainConfig(lr=1e-4, batch_size=16, epochs=4), max_length=16)
    splits = toy_splits()
    good, bad = splits["text"].str.replace("dreadful", "wonderful"), splits["text"].str.replace("wonderful", "dreadful")
    first_good = splits["label"] == 1
    splits = splits.assign(prompt="Which is better?", c1=np.where(first_good, good, bad), c2=np.where(first_good, bad, good))
    preds, result = strong_ceiling(regime, spec, splits, seed=0, dataset="toy", resources_dir=str(test_resources))
    test = preds[preds["split"] == "test"]
    assert (test["hard_label"] == test["gt_label"]).mean() >= 0.95
    swapped = splits.assign(c1=splits["c2"], c2=splits["c1"], label=1 - splits["label"])
    preds_swapped, _ = strong_ceiling(regime, spec, swapped, seed=0, dataset="toy", resources_dir=str(test_resources))
    # trained on swapped pairs from the same start: the same model, so p flips to 1 - p
    np.testing.assert_allclose(preds_swapped["soft_label"].to_numpy(), 1 - preds["soft_label"].to_numpy(), atol=2e-3)


def test_head_lr_auto_is_each_architectures_measured_rate_unless_the_model_sets_its_own():
    """Decoders' last-token features are far larger than encoders' pooled ones: 0.01 made SmolLM2's
    weak labels confident and wrong (README), so `auto` gives decoders 1e-3 and encoders 0.01."""
    from weak2strong.models.registry import HEAD_LR, model_from_params

    assert resolve_model("m", {"backbone": "minilm-l6"}).own_head_lr == HEAD_LR["encoder"] == 1e-2
    assert resolve_model("d", {"backbone": "smollm2-135m"}).own_head_lr == HEAD_LR["decoder"] == 1e-3
    own = resolve_model("d", {"backbone": "smollm2-135m", "head_lr": 3e-3})
    assert own.own_head_lr == 3e-3 and model_from_params(own.to_dict()).own_head_lr == 3e-3
    assert "head_lr" not in resolve_model("m", {"backbone": "minilm-l6"}).to_dict()  # no new param for models without one


def test_head_lr_auto_with_the_unembedding_head_is_the_backbones_rate():
    """The paper starts the head from the unembedding rows of "0" and "1" and trains it at the backbone's
    rate; `auto` gave it the zero head's 1e-3 (decoders) instead."""
    from weak2strong.models.registry import model_from_params

    paper = resolve_model("d", {"backbone": "gpt2", "head_init": "unembedding"})
    assert paper.own_head_lr is None and model_from_params(paper.to_dict()).own_head_lr is None
    assert resolve_model("d", {"backbone": "gpt2", "head_init": "unembedding", "head_lr": 2e-3}).own_head_lr == 2e-3


def test_a_regimes_own_options_go_to_its_options_class_and_the_loop_gets_the_rest():
    """One vocabulary: `regimes.lora.lora_r` (flat in the config) is LoRA's option, not the loop's;
    a regime without options of its own passes every key to TrainConfig, which refuses a stray one."""
    lora = regime_from_params({"name": "lora", "lr": 1e-4, "lora_r": 4, "lora_target_modules": ["q"], "max_length": 32})
    assert lora.options == LoraOptions(lora_r=4, lora_alpha=16, lora_target_modules=["q"]) and lora.train.lr == 1e-4
    assert lora.options.scaling == 4.0 and lora.max_length == 32
    lp_ft = regime_from_params({"name": "lp_ft", "lr": 1e-5, "lp_lr": 0.01})
    assert lp_ft.options == LpFtOptions(lp_epochs=1.0, lp_lr=0.01) and lp_ft.train.lr == 1e-5
    assert regime_from_params({"name": "finetune", "lr": 1e-5}).options is None
    with pytest.raises(TypeError, match="lora_r"):
        regime_from_params({"name": "finetune", "lr": 1e-5, "lora_r": 4})


def test_a_regime_given_another_regimes_option_is_refused_before_any_job():
    from weak2strong.errors import ConfigError
    from weak2strong.plan import build_plan

    config = __import__("yaml").safe_load(open("config/config.yaml"))
    config["regimes"]["finetune"] = {**config["regimes"]["finetune"], "lp_epochs": 2}
    with pytest.raises(ConfigError, match=r"regimes.finetune: \['lp_epochs'\] are options of regime lp_ft"):
        build_plan(config)


def test_no_shipped_config_or_doc_example_sets_the_decoder_head_rate_measured_to_fail():
    """docs/gpu.md's example set `head_lr: 0.01` for a decoder ladder, the rate measured collapsing
    SmolLM2's weak labels (confident and wrong); examples a GPU user copies let `auto` apply."""
    import re

    repo = Path(__file__).resolve().parents[1]
    for path in [*repo.glob("config/*.yaml"), *repo.glob("docs/*.md"), repo / "README.md"]:
        assert not re.search(r"head_lr: (0\.01|1\.0e-2|1e-2)\b", path.read_text()), path

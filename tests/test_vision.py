"""The vision experiment's parts: images decoded from the archive's format, backbones, views, k-way metrics."""

import base64
import io
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from weak2strong.errors import ConfigError, DatasetError, ModelNotFoundError
from weak2strong.families.vision.backbones import extract, views
from weak2strong.families.vision.images import read_bigbench_cifar10, read_image_folder, read_image_table, read_images
from weak2strong.families.vision.plan import vision_backbone
from weak2strong.training.loop import TrainConfig

CLASSES = ["airplane", "automobile", "bird"]


def png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def stripes(n: int, side: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Class 0: horizontal stripes, class 1: vertical, at a random phase and colour: no pixel says
    which (a linear probe on pixels is at chance), every edge detector does."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    grid = np.arange(side)
    images = np.empty((n, side, side, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        wave = ((grid + rng.integers(0, 4)) // 2) % 2  # stripes 2 pixels wide
        pattern = np.tile(wave[:, None], (1, side)) if label == 0 else np.tile(wave[None, :], (side, 1))
        colour = rng.integers(60, 256, 3)
        images[i] = (pattern[..., None] * colour).astype(np.uint8)
    return images, labels


def cifar_task(tmp_path, n=6, corrupt: int | None = None):
    rng = np.random.default_rng(0)
    examples = []
    for k in range(n):
        data = png(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
        if k == corrupt:
            data = b"not a png at all"
        scores = {c: int(c == CLASSES[k % 3]) for c in CLASSES}
        examples.append({"input": base64.b64encode(data).decode(), "target_scores": str(scores)})  # as the archive stores them
    path = tmp_path / "task.json"
    path.write_text(json.dumps({"name": "base64", "examples": examples}))
    return path


def test_archive_images_decode_with_their_classes(tmp_path):
    images, labels, classes = read_bigbench_cifar10(cifar_task(tmp_path))
    assert classes == CLASSES and labels == [0, 1, 2, 0, 1, 2]
    assert images[0].shape == (32, 32, 3) and images[0].dtype == np.uint8
    pixels, labels, classes, ids = read_images({"source": "bigbench_cifar10"}, cifar_task(tmp_path))
    assert pixels.shape == (6, 32, 32, 3) and len(set(ids)) == 6


def test_a_corrupt_image_is_rejected_with_its_place(tmp_path):
    with pytest.raises(DatasetError, match=r"task.json: example 4: not a readable image"):
        read_bigbench_cifar10(cifar_task(tmp_path, corrupt=4))
    with pytest.raises(DatasetError, match=r"row 1: no image bytes"):
        read_image_table([{"image": {"bytes": png(np.zeros((8, 8, 3), np.uint8))}, "label": 0}, {"image": None, "label": 1}],
                         "image", "label", "data.parquet", None)


def test_image_folder_and_hub_style_rows(tmp_path):
    for name, value in (("cat", 10), ("dog", 255)):
        (tmp_path / name).mkdir()
        for k in range(2):
            (tmp_path / name / f"{k}.png").write_bytes(png(np.full((8, 8, 3), value - k, np.uint8)))
    images, labels, classes = read_image_folder(tmp_path, size=4)
    assert classes == ["cat", "dog"] and labels == [0, 0, 1, 1] and images[0].shape == (4, 4, 3)
    rows = [{"img": {"bytes": png(np.full((8, 8, 3), k, np.uint8)), "path": None}, "label": name}
            for k, name in enumerate(["b", "a", "b"])]
    images, labels, classes = read_image_table(rows, "img", "label", "x.parquet", None)
    assert classes == ["a", "b"] and labels == [1, 0, 1]


def test_duplicate_images_are_kept_once(tmp_path):
    path = cifar_task(tmp_path, n=3)
    task = json.loads(path.read_text())
    task["examples"].append(task["examples"][0])
    path.write_text(json.dumps(task))
    pixels, labels, _, ids = read_images({"source": "bigbench_cifar10"}, path)
    assert len(ids) == 3 and list(labels) == [0, 1, 2]


def test_images_in_nested_class_folders_are_read_and_other_files_counted(tmp_path, caplog):
    """Before, an image in a sub-folder of a class folder was skipped without a word."""
    for name, value in (("cat", 10), ("dog", 200)):
        (tmp_path / name / "2024" / "batch").mkdir(parents=True)
        (tmp_path / name / "top.png").write_bytes(png(np.full((8, 8, 3), value, np.uint8)))
        (tmp_path / name / "2024" / "batch" / "deep.png").write_bytes(png(np.full((8, 8, 3), value + 1, np.uint8)))
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    with caplog.at_level("INFO"):
        images, labels, classes = read_image_folder(tmp_path, size=None)
    assert classes == ["cat", "dog"] and sorted(labels) == [0, 0, 1, 1]
    assert "2 images in sub-folders" in caplog.text and "skipped 1 files that are not images (.txt" in caplog.text


def test_a_picture_under_two_labels_is_dropped_not_given_the_first_folders_label(tmp_path, caplog):
    same = png(np.full((8, 8, 3), 77, np.uint8))
    for name, value in (("cat", 10), ("dog", 200)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "own.png").write_bytes(png(np.full((8, 8, 3), value, np.uint8)))
        (tmp_path / name / "shared.png").write_bytes(same)
    (tmp_path / "dog" / "own_again.png").write_bytes(png(np.full((8, 8, 3), 200, np.uint8)))
    with caplog.at_level("WARNING"):
        pixels, labels, classes, ids = read_images({"source": "imagefolder"}, str(tmp_path))
    assert len(ids) == 2 and sorted(labels.tolist()) == [0, 1]  # the shared picture is gone from both classes
    assert "dropped 1 pictures that appear under two or more labels (2 rows" in caplog.text and "cat and dog" in caplog.text
    assert "1 duplicate images (identical pixels, same label) kept once" in caplog.text


def test_a_huge_image_is_refused_before_decoding(tmp_path):
    """A 400-megapixel PNG crashed with Pillow's DecompressionBombError traceback."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")  # 400 megapixels, about 50 kB compressed
    with pytest.raises(DatasetError, match=r"big.png: an image of 20000x20000 pixels \(400 megapixels\).*shrink it"):
        from weak2strong.families.vision.images import decode_image

        decode_image(buffer.getvalue(), "big.png")


def probe_accuracy(features: torch.Tensor, labels: np.ndarray, n_train: int) -> float:
    from weak2strong.losses import Xent
    from weak2strong.training.probe import fit_probe, probe_predict

    cfg = TrainConfig(lr=0.01, batch_size=32, epochs=30, weight_decay=0.0, schedule="cosine", eval_points=0)
    probe, _ = fit_probe(features[:n_train], labels[:n_train].astype(np.float32), Xent(), cfg, 0)
    return float(((probe_predict(probe, features[n_train:]) > 0.5) == labels[n_train:]).mean())


@pytest.mark.slow
def test_kmeans_patch_features_learned_without_labels_know_what_pixels_do_not():
    """Stripes at a random phase: a probe on pixels is near chance, a probe on k-means patch
    features (fitted on other, unlabelled images) separates the orientations."""
    images, labels = stripes(400)
    unlabelled, _ = stripes(200, seed=1)
    pixels, _ = extract(vision_backbone("pixels", {"kind": "pixels", "size": 16}), images, None, 0)
    kmeans = vision_backbone("km", {"kind": "kmeans_patches", "centroids": 16, "patch": 4, "n_patches": 5000, "iterations": 10})
    features, fitted = extract(kmeans, images, unlabelled, 0)
    assert features.shape == (400, 4 * 16) and fitted.centroids.shape == (16, 3 * 4 * 4)
    assert probe_accuracy(pixels, labels, 300) < 0.7
    assert probe_accuracy(features, labels, 300) > 0.9
    again, _ = extract(kmeans, images, None, 0, fitted)  # the saved whitening and centroids give the same features
    assert torch.allclose(again, features)


def test_views_are_deterministic_crops_and_flips():
    images, _ = stripes(20)
    a, b = views(images, 3, seed=0), views(images, 3, seed=0)
    assert a.shape == (3, 20, 16, 16, 3) and (a == b).all()
    assert (a[0] != images).any() and (a[0] != a[1]).any()
    assert (views(images[:5], 3, seed=0) == a[:, :5]).all()  # an image's views do not depend on the rest of the pool


def test_a_hub_image_model_loads_by_name(tmp_path):
    """A tiny random-init ViT saved like a hub checkpoint: loaded by its id (here a path), its first
    token as the features."""
    from transformers import ViTConfig, ViTModel

    config = ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, image_size=32, patch_size=8,
                       add_pooling_layer=False)
    ViTModel(config, add_pooling_layer=False).save_pretrained(tmp_path / "tiny-vit")
    images, _ = stripes(5, side=16)
    backbone = vision_backbone("tiny", {"kind": "hub", "id": str(tmp_path / "tiny-vit"), "input_size": 32, "batch_size": 2})
    features, _ = extract(backbone, images, None, 0)
    assert features.shape == (5, 32) and torch.isfinite(features).all()
    with pytest.raises(ModelNotFoundError, match="cannot load"):
        extract(vision_backbone("gone", {"kind": "hub", "id": str(tmp_path / "missing")}), images, None, 0)


def test_dino_vit_features_are_the_cls_token_not_a_random_pooler(tmp_path):
    """DINO's ViT checkpoints are converted without a pooling layer: AutoModel adds a random
    ``pooler.dense``, so ``pooler_output`` differed on every load. The features are the CLS token
    after the final norm, the same across loads."""
    from safetensors.torch import load_file
    from transformers import AutoModel, ViTConfig, ViTModel

    config = ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, image_size=32,
                       patch_size=8)
    ViTModel(config, add_pooling_layer=False).save_pretrained(tmp_path / "dino-vit")  # as DINO is published
    assert not [k for k in load_file(tmp_path / "dino-vit/model.safetensors") if "pooler" in k]
    images, _ = stripes(4, side=16)
    backbone = vision_backbone("dino", {"kind": "hub", "id": str(tmp_path / "dino-vit"), "input_size": 32, "batch_size": 4})
    first, _ = extract(backbone, images, None, 0)
    torch.manual_seed(123)  # another random pooler on the next load
    second, _ = extract(backbone, images, None, 0)
    torch.testing.assert_close(first, second)
    model = AutoModel.from_pretrained(tmp_path / "dino-vit")
    assert model.pooler is not None  # the random layer AutoModel adds, which must not be read
    from weak2strong.families.vision.backbones import as_float

    x = torch.nn.functional.interpolate(as_float(images), size=(32, 32), mode="bilinear", align_corners=False)
    x = (x - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        torch.testing.assert_close(first, model(pixel_values=x).last_hidden_state[:, 0])


def test_a_torchvision_model_loads_by_name():
    images, _ = stripes(2, side=16)
    backbone = vision_backbone("rn18", {"kind": "torchvision", "id": "resnet18", "input_size": 32})
    try:
        import torchvision  # noqa: F401
    except ImportError:
        with pytest.raises(ModelNotFoundError, match="needs torchvision"):
            extract(backbone, images, None, 0)
        return
    features, _ = extract(backbone, images, None, 0)  # random init (no weights named)
    assert features.shape == (2, 512)


def test_multiclass_pgr_and_agreement_on_a_hand_made_table():
    """Three classes, six test images; weak right on 3, ceiling on 6, student on 5 (PGR 2/3); the
    student agrees with the weak model on 4: all 3 it gets right and 1 of the 3 it gets wrong."""
    from weak2strong.families.vision.steps import per_seed_rows

    y = np.array([0, 1, 2, 0, 1, 2])
    weak_pred, student_pred = np.array([0, 1, 2, 1, 2, 0]), np.array([0, 1, 2, 0, 1, 0])

    def table(pred, model, role, split="test", **extra):
        soft = [np.eye(3, dtype=np.float32)[p] * 0.7 + 0.1 for p in pred]
        return pd.DataFrame({"id": [f"i{k}" for k in range(6)], "split": split, "gt_label": y, "soft_label": soft, "hard_label": pred,
                             "model": model, "role": role, "seed": 0, **extra})

    weak = pd.concat([table(weak_pred, "w", "weak"), table(weak_pred, "w", "weak", split="train_b")])
    fit_pred = np.array([0, 1, 2, 1, 2, 2])  # on train_b: the weak labels but the last
    student = pd.concat([table(student_pred, "s", "student", loss="xent", n_views=0, variant="plain"),
                         table(fit_pred, "s", "student", split="train_b", loss="xent", n_views=0, variant="plain")])
    row = per_seed_rows(weak, table(y, "s", "ceiling"), student)[0]
    assert row["variant"] == "plain" and row["train_b_fit"] == pytest.approx(5 / 6)
    assert (row["weak_acc"], row["ceiling_acc"], row["student_acc"]) == pytest.approx((0.5, 1.0, 5 / 6))
    assert row["pgr"] == pytest.approx(2 / 3)
    assert row["agreement"] == pytest.approx(4 / 6)
    assert row["agreement_weak_correct"] == pytest.approx(1.0) and row["agreement_weak_wrong"] == pytest.approx(1 / 3)
    assert row["weak_confidence"] == pytest.approx((3 * 0.8 - 1) / 2)  # (k · max p − 1) / (k − 1)


def test_every_student_variant_is_trained_and_scored_on_test_and_on_train_b():
    """Plain, early-stopped on held-out weak labels, on views, and on views at the plain student's
    number of steps: each predicts test and train_b (its fit to the weak labels)."""
    from weak2strong.families.vision.steps import VARIANTS, seed_split, student_step

    images, labels = stripes(120)
    pool = pd.DataFrame({"id": [f"i{k}" for k in range(120)], "label": labels, "role": "pool"})
    split = seed_split(pool, {"train_a": 20, "train_b": 60, "test": 40}, seed=0)
    feats = torch.as_tensor(images.reshape(120, -1)[:, :64] / 255.0, dtype=torch.float32)
    ids = list(pool["id"])
    b = split[split["split"] == "train_b"]
    weak = pd.DataFrame({"id": b["id"], "split": "train_b", "soft_label": [np.array([0.3, 0.7], np.float32)] * len(b)})
    cfg = TrainConfig(lr=0.01, batch_size=16, epochs=2, weight_decay=0.0, schedule="cosine", eval_points=0)
    out = student_step(split, weak, (feats, ids), (torch.cat([feats, feats]), ids * 2), "xent", {}, cfg, 0, "s", "w")
    assert list(dict.fromkeys(out["variant"])) == list(VARIANTS)
    assert out.groupby("variant")["n_views"].first().to_dict() == {"plain": 0, "regularised": 0, "views": 2, "views_equal_steps": 2}
    sizes = out.groupby(["variant", "split"]).size().to_dict()
    assert sizes == {(v, split_name): n for v in VARIANTS for split_name, n in (("test", 40), ("train_b", 60))}
    no_views = student_step(split, weak, (feats, ids), None, "xent", {}, cfg, 0, "s", "w")
    assert list(dict.fromkeys(no_views["variant"])) == ["plain", "regularised"]


def test_the_equal_steps_student_takes_the_plain_students_steps_and_early_stopping_sees_no_ground_truth(monkeypatch):
    """Views multiply the examples per epoch: at the plain epochs a views student takes n_views + 1
    times the steps, so its control divides the epochs; the regularised student trains on train_b
    without its held-out slice and scores candidates by agreement with that slice's weak labels."""
    from weak2strong.families.vision import steps

    images, labels = stripes(120)
    pool = pd.DataFrame({"id": [f"i{k}" for k in range(120)], "label": labels, "role": "pool"})
    split = steps.seed_split(pool, {"train_a": 20, "train_b": 60, "test": 40}, seed=0)
    feats = torch.as_tensor(images.reshape(120, -1)[:, :64] / 255.0, dtype=torch.float32)
    ids = list(pool["id"])
    b = split[split["split"] == "train_b"]
    weak = pd.DataFrame({"id": b["id"], "split": "train_b", "soft_label": [np.array([0.3, 0.7], np.float32)] * len(b)})
    calls = []
    real = steps.fit_and_predict

    def spy(x_train, targets, predict, loss, options, cfg, seed, desc, select=None):
        calls.append((desc, len(x_train), cfg.epochs, select))
        return real(x_train, targets, predict, loss, options, cfg, seed, desc, select)

    monkeypatch.setattr(steps, "fit_and_predict", spy)
    cfg = TrainConfig(lr=0.01, batch_size=16, epochs=6, weight_decay=0.0, schedule="cosine", eval_points=0)
    steps.student_step(split, weak, (feats, ids), (torch.cat([feats, feats]), ids * 2), "xent", {}, cfg, 0, "s", "w")
    by = {desc.split("(")[-1].rstrip(")") if "views" in desc else desc: (n, epochs, select) for desc, n, epochs, select in calls}
    assert by["student xent"][:2] == (60, 6) and by["student xent"][2] is None
    n, epochs, select = by["student xent, early stopping"]
    assert n == 60 - 12 and epochs == 6 and select is not None  # 20% held out, scored without ground truth
    assert by["views"][:2] == (180, 6) and by["views_equal_steps"][:2] == (180, 2)  # 3x the rows: a third of the epochs


def test_vision_plan_checks_names_and_the_unlabelled_pool():
    from weak2strong.families.vision.plan import vision_plan

    seeds = lambda *s: SimpleNamespace(seeds=list(s))  # the core plan's part a family plan reads here

    block = {"dataset": {"source": "bigbench_cifar10"}, "unlabelled": 500, "split_sizes": {"train_a": 10, "train_b": 10, "test": 10},
             "backbones": {"pixels": {"kind": "pixels"}, "km": {"kind": "kmeans_patches"}}, "weak": ["pixels"], "strong": ["km"]}
    plan = vision_plan({"vision": block}, seeds(0, 1))
    assert plan.pairs == [("pixels", "km")] and plan.losses == ["xent"]
    with pytest.raises(ConfigError, match=r"vision.strong: \['kmeans'\] are not under vision.backbones"):
        vision_plan({"vision": block | {"strong": ["kmeans"]}}, seeds(0))
    with pytest.raises(ConfigError, match="learn from unlabelled images"):
        vision_plan({"vision": block | {"unlabelled": 0}}, seeds(0))
    own = {"kind": "torchvision", "id": "alexnet", "head": "own", "head_classes": [3, 5]}
    with_own = vision_plan({"vision": block | {"backbones": {**block["backbones"], "alexnet": own}, "weak": ["alexnet"]}}, seeds(0))
    assert with_own.cell("labels", "alexnet") == {"role": "weak", "backbone": "alexnet", "loss": "xent", "own_head": True}
    assert "own_head" not in plan.cell("labels", "pixels")  # the probe supervisors' jobs are as they were
    with pytest.raises(ConfigError, match=r"vision.strong: \['alexnet'\] keep their own classifier"):
        vision_plan({"vision": block | {"backbones": {**block["backbones"], "alexnet": own}, "strong": ["alexnet"]}}, seeds(0))
    with pytest.raises(ConfigError, match="kind: 'resnet' is not one of"):
        vision_plan({"vision": block | {"backbones": {"pixels": {"kind": "resnet"}}}}, seeds(0))


def test_mixed_image_sizes_and_a_small_pool_are_errors_with_the_fix(tmp_path):
    from weak2strong.families.vision.steps import pool_table

    for name, side, value in (("a", 8, 20), ("b", 12, 200)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "0.png").write_bytes(png(np.full((side, side, 3), value, np.uint8)))
    with pytest.raises(DatasetError, match="several sizes.*set vision.dataset.image_size"):
        read_images({"source": "imagefolder"}, tmp_path)
    pixels, labels, classes, ids = read_images({"source": "imagefolder", "image_size": 8}, tmp_path)
    assert pixels.shape == (2, 8, 8, 3)
    with pytest.raises(ConfigError, match="2 images, but vision.unlabelled \\+ vision.split_sizes need 7; lower them"):
        pool_table(ids, labels, classes, 1, {"train_a": 2, "train_b": 2, "test": 2}, 0, "vision.dataset")


def test_a_pickled_checkpoint_is_refused_with_how_to_convert_it(tmp_path):
    """Before: torch's UnpicklingError traceback."""
    import argparse

    from weak2strong.families.vision.backbones import read_state_dict

    path = tmp_path / "dino_resnet50.pth"
    torch.save({"state_dict": {"conv1.weight": torch.zeros(2)}, "args": argparse.Namespace(arch="resnet50")}, path)
    with pytest.raises(ModelNotFoundError, match=r"dino_resnet50.pth holds pickled objects besides tensors.*save_file.*"
                                                 r"point `checkpoint` at the .safetensors file"):
        read_state_dict(str(path))
    torch.save({"state_dict": {"conv1.weight": torch.zeros(2)}}, path)
    assert list(read_state_dict(str(path))) == ["conv1.weight"]


def test_a_label_that_is_neither_a_number_nor_a_name_is_refused(tmp_path):
    """Before, a list label became the class named "['a']" (str of the list)."""
    image = {"bytes": png(np.zeros((8, 8, 3), np.uint8))}
    rows = [{"image": image, "label": "cat"}, {"image": image, "label": ["dog"]}]
    with pytest.raises(DatasetError, match=r"data.parquet: row 1: label \['dog'\] \(list\) is neither a class number nor"):
        read_image_table(rows, "image", "label", "data.parquet", None)
    with pytest.raises(DatasetError, match=r"label True \(bool\)"):
        read_image_table([{"image": image, "label": True}], "image", "label", "data.parquet", None)


def test_a_checkpoint_whose_keys_load_nothing_is_an_error_naming_them():
    """strict=False alone let a checkpoint saved with a 'module.' prefix load nothing and leave the
    backbone random. Missing classifier weights are fine (the backbone drops its classifier)."""
    from weak2strong.families.vision.backbones import check_loaded_keys

    model = torch.nn.ModuleDict({"conv1": torch.nn.Conv2d(3, 4, 3), "fc": torch.nn.Linear(4, 2)})
    plain = {k: v for k, v in model.state_dict().items() if not k.startswith("fc.")}
    check_loaded_keys(model.load_state_dict(plain, strict=False), "rn50")
    prefixed = {f"module.{k}": v for k, v in plain.items()}
    with pytest.raises(ModelNotFoundError, match=r"rn50: 2 weights of the model are not in the checkpoint.*'conv1.weight'.*"
                                                 r"2 of its tensors match no weight.*'module.conv1.weight'.*prefix"):
        check_loaded_keys(model.load_state_dict(prefixed, strict=False), "rn50")


def test_a_hub_image_checkpoint_whose_weights_do_not_load_is_an_error(tmp_path):
    """The vision hub path checks what transformers loaded, as the text path does: DINO's missing
    pooler is allowed, a checkpoint saved with a 'module.' prefix (nothing loads) is not."""
    from safetensors.torch import load_file, save_file
    from transformers import ViTConfig, ViTModel

    config = ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, image_size=32,
                       patch_size=8)
    folder = tmp_path / "dino-vit"
    ViTModel(config, add_pooling_layer=False).save_pretrained(folder)
    backbone = vision_backbone("dino", {"kind": "hub", "id": str(folder), "input_size": 32, "batch_size": 4})
    extract(backbone, stripes(2, side=16)[0], None, 0)  # loads: only the pooler is missing
    weights = load_file(folder / "model.safetensors")
    save_file({f"module.{k}": v for k, v in weights.items()}, folder / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ModelNotFoundError, match=r"vision backbone dino.*weights are not in the checkpoint and would be random"):
        extract(backbone, stripes(2, side=16)[0], None, 0)


def _digits_archive(path, rows: list[str]):
    """scikit-learn's source archive as published: the digits are a gzipped CSV inside the sdist."""
    import gzip
    import io
    import tarfile

    data = gzip.compress("\n".join(rows).encode() + b"\n")
    with tarfile.open(path, "w:gz") as tar:
        for name, payload in (("scikit_learn-1.7.2/setup.py", b""), ("scikit_learn-1.7.2/sklearn/datasets/data/digits.csv.gz", data)):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return path


def test_digits_are_read_from_the_archive_as_grey_rgb_images_with_their_labels(tmp_path, pin_replica):
    from weak2strong.families.vision import images
    from weak2strong.families.vision.images import read_images

    one = ",".join(["16"] + ["0"] * 63 + ["7"])  # the top-left pixel full, digit 7
    two = ",".join(["0"] * 63 + ["8"] + ["3"])  # the bottom-right pixel at 8 of 16, digit 3
    archive = _digits_archive(tmp_path / "scikit_learn-1.7.2.tar.gz", [one, two, one])
    pin_replica(images, "SKLEARN_SHA256", archive)
    pixels, labels, classes, ids = read_images({"source": "sklearn_digits"}, str(archive))
    assert pixels.shape == (2, 8, 8, 3) and classes == [str(d) for d in range(10)]  # the repeated image is kept once
    assert list(labels) == [7, 3] and pixels[0, 0, 0].tolist() == [255, 255, 255] and pixels[1, 7, 7, 0] == 128
    assert (pixels[0].sum() == 3 * 255) and len(set(ids)) == 2
    assert read_images({"source": "sklearn_digits", "image_size": 16}, str(archive))[0].shape == (2, 16, 16, 3)
    bad = _digits_archive(tmp_path / "bad.tar.gz", [",".join(["0"] * 10)])
    pin_replica(images, "SKLEARN_SHA256", bad)
    with pytest.raises(DatasetError, match="line 1 has 10 fields"):
        read_images({"source": "sklearn_digits"}, str(bad))


@pytest.mark.slow
def test_the_published_sklearn_archive_holds_the_1797_digits(tmp_path):
    """The real file from the package index, checked against its pinned sha256."""
    from weak2strong.families.vision.images import SKLEARN_FILE, fetch_sklearn_archive, read_images

    archive = tmp_path / SKLEARN_FILE
    fetch_sklearn_archive(archive)
    pixels, labels, classes, _ = read_images({"source": "sklearn_digits", "image_size": 16}, str(archive))
    counts = np.bincount(labels, minlength=10)
    assert 1780 <= len(pixels) <= 1797 and pixels.shape[1:] == (16, 16, 3) and counts.min() >= 170


def test_views_without_flip_are_only_shifted_by_at_most_the_padding():
    """Digits: a mirrored 3 is not a 3. With flip false every view is a crop of the padded image at an
    offset of at most ``pad`` pixels each way, never mirrored."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 255, size=(6, 16, 16, 3), dtype=np.uint8)
    out = views(images, 4, seed=0, pad=2, flip=False)
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    for v in range(4):
        for i in range(6):
            shifts = [(dy, dx) for dy in range(5) for dx in range(5) if (padded[i, dy:dy + 16, dx:dx + 16] == out[v, i]).all()]
            assert shifts, (v, i)
    flipped = views(images, 8, seed=0, pad=0, flip=True)
    assert any((flipped[v, i] == images[i, :, ::-1]).all() and not (flipped[v, i] == images[i]).all()
               for v in range(8) for i in range(6))  # the default still mirrors half the views


@pytest.mark.parametrize("values, classes, labels", [
    ([1, 2, 2, 1], ["1", "2"], [0, 1, 1, 0]),  # {1, 2}: no empty class 0
    ([-1, 1, 1, -1], ["-1", "1"], [0, 1, 1, 0]),  # {-1, 1}: -1 is not folded into class 1's neighbour
    ([0, 3, 7, 3], ["0", "3", "7"], [0, 1, 2, 1]),  # gaps: three classes, not eight
    ([0, 1, 1, 0], ["0", "1"], [0, 1, 1, 0]),
])
def test_integer_labels_are_mapped_to_the_classes_present_in_sorted_order(values, classes, labels, caplog):
    """Parquet labels were used as class indices: labels {-1, 1} merged into one class (weak accuracy
    1.0 -> 0.52) and {1, 2} added an empty class 0."""
    rows = [{"img": {"bytes": png(np.full((8, 8, 3), 10 * k, np.uint8))}, "label": v} for k, v in enumerate(values)]
    with caplog.at_level("INFO"):
        _, got_labels, got_classes = read_image_table(rows, "img", "label", "x.parquet", None)
    assert (got_classes, got_labels) == (classes, labels)
    assert ("numbered in sorted order" in caplog.text) == (classes != [str(k) for k in range(len(classes))])


def test_hub_class_names_keep_their_order_and_only_the_classes_present(caplog):
    rows = [{"img": {"bytes": png(np.full((8, 8, 3), 10 * k, np.uint8))}, "label": v} for k, v in enumerate([2, 0, 2])]
    _, labels, classes = read_image_table(rows, "img", "label", "hub", None, ["plane", "car", "bird"])
    assert classes == ["plane", "bird"] and labels == [1, 0, 1]
    with pytest.raises(DatasetError, match=r"labels \[5\] are not indices of the dataset's 3 class names"):
        read_image_table([{**rows[0], "label": 5}, rows[1]], "img", "label", "hub", None, ["plane", "car", "bird"])
    with pytest.raises(DatasetError, match="hold 1 class"):
        read_image_table(rows[:1], "img", "label", "x.parquet", None)


def test_an_empty_class_folder_is_left_out_and_said(tmp_path, caplog):
    """It became a third class with no images (weak-label confidence 0.432 -> 0.248), without a word."""
    for name, value in (("cat", 10), ("dog", 255)):
        (tmp_path / name).mkdir()
        for k in range(2):
            (tmp_path / name / f"{k}.png").write_bytes(png(np.full((8, 8, 3), value - k, np.uint8)))
    (tmp_path / "zebra").mkdir()
    (tmp_path / "zebra" / "notes.txt").write_text("to do")
    images, labels, classes = read_image_folder(tmp_path, size=None)
    assert classes == ["cat", "dog"] and labels == [0, 0, 1, 1]
    assert "left out 1 class folders without images (zebra)" in caplog.text


def test_the_representability_check_tells_a_linear_image_of_the_features_from_noise():
    """benchmarks/vision_representable.py: weak features that are a linear map of the strong ones
    give a held-out R² near 1; features unrelated to them give about 0 or less."""
    import importlib.util

    from workflow_helpers import REPO

    spec = importlib.util.spec_from_file_location("vision_representable", REPO / "benchmarks/vision_representable.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    rng = np.random.default_rng(0)
    strong = rng.normal(size=(600, 40))
    assert check.held_out_r2(strong, strong @ rng.normal(size=(40, 8)), ridge=1.0) > 0.99
    assert check.held_out_r2(strong, rng.normal(size=(600, 8)), ridge=1.0) < 0.05


# torchvision's AlexNet state dict: its module names and shapes (torchvision.models.alexnet().state_dict())
ALEXNET_KEYS = {"features.0.weight": (64, 3, 11, 11), "features.0.bias": (64,), "features.3.weight": (192, 64, 5, 5),
                "features.3.bias": (192,), "features.6.weight": (384, 192, 3, 3), "features.6.bias": (384,),
                "features.8.weight": (256, 384, 3, 3), "features.8.bias": (256,), "features.10.weight": (256, 256, 3, 3),
                "features.10.bias": (256,), "classifier.1.weight": (4096, 9216), "classifier.1.bias": (4096,),
                "classifier.4.weight": (4096, 4096), "classifier.4.bias": (4096,), "classifier.6.weight": (1000, 4096),
                "classifier.6.bias": (1000,)}


def test_alexnets_own_head_supervises_with_its_own_predictions_for_the_datasets_classes(tmp_path):
    """The reference's weak vision supervisor is AlexNet's own ImageNet prediction, not a probe on its
    features. A random-init checkpoint with torchvision's key layout loads (into our AlexNet where
    torchvision does not import), keeps its classifier, and gives, per image, its logits for the
    dataset's classes; the weak step's labels are their softmax, with no probe trained."""
    from safetensors.torch import save_file

    from weak2strong.families.vision.backbones import AlexNet
    from weak2strong.families.vision.plan import vision_backbone
    from weak2strong.families.vision.steps import weak_step

    torch.manual_seed(0)
    state = {k: torch.randn(shape) * 0.01 for k, shape in ALEXNET_KEYS.items()}
    assert set(AlexNet().state_dict()) == set(ALEXNET_KEYS)  # the same names as torchvision's
    save_file(state, tmp_path / "alexnet.safetensors")
    images, labels = stripes(12, side=16)
    classes = [7, 281]  # the network's index of each dataset class
    backbone = vision_backbone("alexnet", {"kind": "torchvision", "id": "alexnet", "checkpoint": str(tmp_path / "alexnet.safetensors"),
                                           "head": "own", "head_classes": classes, "input_size": 64, "batch_size": 4})
    features, _ = extract(backbone, images, None, 0)
    reference = AlexNet()
    reference.load_state_dict(state)
    reference.eval()
    from weak2strong.families.vision.backbones import IMAGENET_MEAN, IMAGENET_STD, as_float

    x = torch.nn.functional.interpolate(as_float(images), size=(64, 64), mode="bilinear", align_corners=False)
    x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        torch.testing.assert_close(features, reference(x)[:, classes])
    ids = [f"i{k}" for k in range(12)]
    pool = pd.DataFrame({"id": ids, "label": labels, "role": "pool"})
    from weak2strong.families.vision.steps import seed_split

    split = seed_split(pool, {"train_a": 2, "train_b": 5, "test": 5}, seed=0)
    out = weak_step(split, (features, ids), 2, None, 0, "alexnet", own_head=True)  # no training config needed: nothing trains
    b = out[out["split"] == "train_b"].set_index("id")
    expected = torch.softmax(features[[ids.index(i) for i in b.index]], -1).numpy()
    np.testing.assert_allclose(np.stack(b["soft_label"].to_numpy()), expected, atol=1e-6)
    with pytest.raises(ConfigError, match="only a torchvision backbone keeps a classifier"):
        vision_backbone("km", {"kind": "kmeans_patches", "head": "own", "head_classes": [1, 2]})
    with pytest.raises(ConfigError, match="head_classes: with head: own, list"):
        vision_backbone("alexnet", {"kind": "torchvision", "id": "alexnet", "head": "own"})
    missing_head = {k: v for k, v in state.items() if not k.startswith("classifier.6")}
    save_file(missing_head, tmp_path / "headless.safetensors")
    headless = vision_backbone("a2", {"kind": "torchvision", "id": "alexnet", "checkpoint": str(tmp_path / "headless.safetensors"),
                                      "head": "own", "head_classes": classes, "input_size": 64})
    with pytest.raises(ModelNotFoundError, match="not in the checkpoint.*classifier.6"):
        extract(headless, images, None, 0)  # its own head must come from the checkpoint: a random one supervises nothing


@pytest.mark.parametrize("extra", [{}, {"probe": {"epochs": 5}, "augment": {"flip": False}, "losses": ["xent", "logconf"], "n_views": 2}])
def test_the_vision_defaults_live_in_its_schema_alone(extra):
    """A plan from a block Snakemake has not validated equals the plan of the validated block."""
    import copy
    from dataclasses import asdict

    from snakemake.utils import validate

    from weak2strong.families.vision.plan import SCHEMA, vision_plan

    core = SimpleNamespace(seeds=[0, 1])
    block = {"dataset": {"source": "sklearn_digits"}, "unlabelled": 500, "split_sizes": {"train_a": 10, "train_b": 10, "test": 10},
             "backbones": {"pixels": {"kind": "pixels"}, "km": {"kind": "kmeans_patches"}}, "weak": ["pixels"], "strong": ["km"], **extra}
    validated = copy.deepcopy(block)
    validate(validated, schema=str(SCHEMA))
    plan = asdict(vision_plan({"vision": block}, core))
    assert plan == asdict(vision_plan({"vision": validated}, core))
    assert plan["regime"]["lr"] == 0.001 and plan["augment"]["pad"] == 4 and plan["regime"]["eval_points"] == 0
    assert plan["regime"]["name"] == "linear_probe"  # vision.probe is that regime's block


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def cifar10_hub_copy(folder, labels):
    """A local copy of the hub's CIFAR-10 (uoft-cs/cifar10) as it is published: a dataset card whose
    ``configs`` name ``plain_text/train-*`` and ``plain_text/test-*`` Parquet shards, each row an ``img``
    (Image: PNG bytes) and a ``label`` (ClassLabel of the ten names, kept in the shards' metadata)."""
    import datasets

    features = datasets.Features({"img": datasets.Image(), "label": datasets.ClassLabel(names=CIFAR10_CLASSES)})
    for split, split_labels in (("train", labels), ("test", labels[:2])):
        rows = {"img": [{"bytes": png(np.full((32, 32, 3), 20 * k, np.uint8)), "path": None} for k in range(len(split_labels))],
                "label": split_labels}
        (folder / "plain_text").mkdir(parents=True, exist_ok=True)
        datasets.Dataset.from_dict(rows, features=features).to_parquet(str(folder / "plain_text" / f"{split}-00000-of-00001.parquet"))
    (folder / "README.md").write_text("---\nconfigs:\n- config_name: plain_text\n  data_files:\n  - split: train\n"
                                      "    path: plain_text/train-*\n  - split: test\n    path: plain_text/test-*\n---\n")
    return folder


def test_the_hub_cifar10_layout_is_read_through_the_loader_users_run(tmp_path, monkeypatch):
    """`source: hub` goes through `datasets.load_dataset` (here on a local copy of the published layout,
    offline): its image column is `img`, not the default `image`, so the error names the setting; with
    `image_field: img` the split's images come back with the ClassLabel's names of the classes present,
    and `split` defaults to train (the schema's default, filled for a block nobody validated)."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    repo = cifar10_hub_copy(tmp_path / "cifar10", [3, 5, 3, 0])
    with pytest.raises(DatasetError, match=r"row 0 has no field 'image' .*'img'.*set vision.dataset.image_field"):
        read_images({"source": "hub", "id": str(repo)}, None)
    pixels, labels, classes, ids = read_images({"source": "hub", "id": str(repo), "image_field": "img"}, None)
    assert classes == ["airplane", "cat", "dog"] and list(labels) == [1, 2, 1, 0]  # the train split: four rows
    assert pixels.shape == (4, 32, 32, 3) and len(set(ids)) == 4
    _, test_labels, _, _ = read_images({"source": "hub", "id": str(repo), "image_field": "img", "split": "test"}, None)
    assert list(test_labels) == [0, 1]  # the test shard's two rows (cat, dog)

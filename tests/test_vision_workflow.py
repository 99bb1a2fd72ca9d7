"""The vision path end to end on a tiny ImageFolder of three texture classes: the pool with its held-out
unlabelled images, splits, pixel and k-means features (and augmented views), k-way weak labels,
ceilings, students with and without views, vision.csv and vision.png; a changed `n_views` reruns the
views and the students only."""

import numpy as np
import pandas as pd
import pytest
import yaml
from test_vision import png, stripes

from workflow_helpers import planned_jobs, snakemake

pytestmark = pytest.mark.slow


def image_folder(root, n=330):
    """Horizontal stripes, vertical stripes, and flat colour: three classes at random colours."""
    images, labels = stripes(n, seed=3)
    rng = np.random.default_rng(4)
    flat = rng.random(n) < 1 / 3
    for i in np.flatnonzero(flat):
        images[i] = rng.integers(60, 256, 3).astype(np.uint8)
    classes = np.where(flat, "flat", np.where(labels == 0, "horizontal", "vertical"))
    for k, (image, name) in enumerate(zip(images, classes)):
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / f"{k}.png").write_bytes(png(image))


def vision_config(config: dict, workdir) -> dict:
    image_folder(workdir / "images")
    return {
        **config,
        "vision": {
            "dataset": {"source": "imagefolder", "path": str(workdir / "images")},
            "unlabelled": 100, "split_sizes": {"train_a": 60, "train_b": 90, "test": 70},
            "backbones": {"pixels": {"kind": "pixels", "size": 4},
                          "kmeans": {"kind": "kmeans_patches", "centroids": 12, "patch": 4, "n_patches": 3000, "iterations": 8}},
            "weak": ["pixels"], "strong": ["kmeans"], "losses": ["xent", "logconf"], "n_views": 1,
            "probe": {"lr": 0.01, "batch_size": 32, "epochs": 20},
        },
    }


def test_vision_runs_end_to_end_and_views_rerun_alone(workflow_run_copy):
    workdir, config = workflow_run_copy
    config = vision_config(config, workdir)
    (workdir / "vision.yaml").write_text(yaml.safe_dump(config))
    snakemake(workdir, "results/figures/vision.png", config="vision.yaml")

    pool = pd.read_parquet(workdir / "results/vision/pool.parquet")
    assert (pool["role"] == "unlabelled").sum() == 100 and set(pool["class"]) == {"flat", "horizontal", "vertical"}
    split = pd.read_parquet(workdir / "results/vision/splits/seed1.parquet")
    assert split["split"].value_counts().to_dict() == {"train_b": 90, "test": 70, "train_a": 60}
    assert not split["id"].isin(pool.loc[pool["role"] == "unlabelled", "id"]).any()  # never in a split

    labels = pd.read_parquet(workdir / "results/vision/labels/pixels.parquet")
    assert set(labels["split"]) == {"train_b", "test"} and sorted(labels["seed"].unique()) == [0, 1, 2]
    soft = np.stack(labels["soft_label"].to_numpy())
    assert soft.shape[1] == 3 and np.allclose(soft.sum(1), 1, atol=1e-5)
    assert (soft.argmax(1) == labels["hard_label"]).all()

    summary = pd.read_csv(workdir / "results/metrics/vision.csv")
    from weak2strong.families.vision.steps import VARIANTS

    assert sorted(zip(summary["loss"], summary["variant"])) == sorted((loss, v) for loss in ("logconf", "xent") for v in VARIANTS)
    assert summary.groupby("variant")["n_views"].first().to_dict() == {"plain": 0, "regularised": 0, "views": 1, "views_equal_steps": 1}
    assert summary["train_b_fit_mean"].between(0, 1).all()
    assert (summary["n_seeds"] == 3).all()
    # the data were built for a gap: orientation is invisible to 4x4 pixels, plain to edge-like patch features
    assert (summary["ceiling_acc_mean"] > summary["weak_acc_mean"] + 0.15).all()
    assert (workdir / "results/figures/vision.png").stat().st_size > 10_000

    changed = {**config, "vision": {**config["vision"], "n_views": 2}}
    assert planned_jobs(workdir, changed) == {"vision_views": 1, "vision_train": 2, "vision_metrics": 1, "figure:vision": 1, "all": 1}

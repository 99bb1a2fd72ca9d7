"""bf16 on this CPU: does it pay, and does it move the probes? fp32 against bf16 autocast.

1. Matrix products: GFLOP/s of a 2048 × 2048 product in fp32 and in bf16.
2. Feature extraction (``models.features.embed_texts``, the workflow's function): texts/s of a
   model in fp32 and in bf16 autocast, the features' relative difference, and the achieved GFLOP/s
   (the forward pass's multiply-adds on the padded batches embed_texts makes, against 1.'s peak).
3. ``--probe-check``: for each model, features of seed 0's ``train_a`` and ``test`` in fp32 and in
   bf16, a linear probe on the ground truth (the default regime's settings) on each, and the test
   accuracies' difference (the goal: under 0.5 points).

Each comparison runs once to warm up, then the two precisions alternate (``--repeats``). bf16 is
forced here even where the workflow would refuse it (a CPU without native bf16 units runs it
emulated, which is what this measures there); the workflow itself uses bf16 on a CPU only where
``torch.ops.mkldnn._is_mkldnn_bf16_supported()`` says the units exist (``models/precision.py``).

    python benchmarks/cpu_precision.py                       # 1 and 2, MPNet, 128 synthetic texts
    python benchmarks/cpu_precision.py --texts 1000 --texts-from results/data/movie_sentiment/splits/seed0.parquet
    snakemake --cores all results/data/movie_sentiment/splits/seed0.parquet results/data/nyt_editorial_sentiment/splits/seed0.parquet
    python benchmarks/cpu_precision.py --probe-check --models minilm_l1 minilm_l2 minilm_l6 mpnet

Writes every row to ``benchmarks/out/cpu_precision.jsonl``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "cpu_precision.jsonl"


@functools.cache
def default_plan():
    """config/config.yaml's plan: its models, feature settings and linear-probe regime are the ones
    checked here, through the same functions the workflow's jobs use."""
    import yaml

    from weak2strong.plan import build_plan

    return build_plan(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))


def force_bf16() -> None:
    """Let autocast run bf16 on this CPU whatever its units (the benchmark measures exactly that)."""
    from weak2strong.models import precision

    precision.cpu_has_native_bf16 = lambda: True


def emit(row: dict) -> None:
    print(json.dumps(row), flush=True)
    with OUT.open("a") as fh:
        fh.write(json.dumps(row) + "\n")


def alternate(variants: dict, repeats: int) -> dict[str, list[float]]:
    """Seconds of each variant: one warm-up call each, then the variants in turn ``repeats`` times."""
    for fn in variants.values():
        fn()
    seconds = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def gemm(repeats: int, size: int = 2048) -> None:
    mats = {dt: (torch.randn(size, size, dtype=dt), torch.randn(size, size, dtype=dt)) for dt in (torch.float32, torch.bfloat16)}
    seconds = alternate({str(dt).removeprefix("torch."): (lambda a=a, b=b: a @ b) for dt, (a, b) in mats.items()}, repeats)
    for name, times in seconds.items():
        emit({"what": "gemm", "size": size, "precision": name, "gflops": round(2 * size**3 / min(times) / 1e9, 1)})


def spec_of(name: str):
    """Model ``name`` of the default config."""
    models = default_plan().models
    if name not in models:
        raise SystemExit(f"no model {name!r} in config/config.yaml (models: {', '.join(models)})")
    return models[name]


def extract(spec, texts: list[str], resources: str, bf16: bool) -> torch.Tensor:
    from weak2strong.models.backbone import load_backbone, load_tokenizer
    from weak2strong.models.features import embed_texts

    key = (spec.name, bf16)
    if key not in extract.models:
        extract.models[key] = (load_backbone(spec, resources), load_tokenizer(spec, resources))
    model, tokenizer = extract.models[key]
    plan = default_plan()
    feats, _ = embed_texts(model, tokenizer, texts, spec.backbone.pooling, spec.layer, plan.read_length(spec.name),
                           plan.features.batch_size, "cpu", bf16)
    return feats


extract.models = {}


def forward_flops(spec, texts: list[str], resources: str) -> float:
    """Floating-point operations of embed_texts' forward pass over ``texts``: its batches (sorted by
    length, padded to the longest of each) through the backbone's first ``spec.layer`` layers; per
    layer and sequence of T tokens, 2·T·(4d² + 2·d·d_ff) for the projections and MLP and 2·2·T²·d
    for the attention scores and their use (embeddings and pooling are negligible)."""
    from weak2strong.models.backbone import load_tokenizer
    from weak2strong.models.tokens import tokenize

    model, _ = extract.models[(spec.name, False)]
    cfg = model.config
    d, ff = cfg.hidden_size, getattr(cfg, "intermediate_size", 4 * cfg.hidden_size)
    plan = default_plan()
    lengths = sorted((len(x) for x in tokenize(load_tokenizer(spec, resources), texts, plan.read_length(spec.name))["input_ids"]),
                     reverse=True)
    batch = plan.features.batch_size
    padded = [lengths[i] for i in range(0, len(lengths), batch) for _ in lengths[i:i + batch]]  # each row padded to its batch's longest
    per_layer = sum(2 * t * (4 * d * d + 2 * d * ff) + 4 * t * t * d for t in padded)
    return float(spec.layer * per_layer)


def extraction_speed(model: str, texts: list[str], resources: str, repeats: int) -> None:
    spec = spec_of(model)
    out = {}
    seconds = alternate({p: (lambda p=p: out.__setitem__(p, extract(spec, texts, resources, p == "bf16"))) for p in ("fp32", "bf16")},
                        repeats)
    diff = float((out["fp32"] - out["bf16"]).norm() / out["fp32"].norm())
    flops = forward_flops(spec, texts, resources)
    for name, times in seconds.items():
        emit({"what": "extraction", "model": model, "texts": len(texts), "precision": name,
              "texts_per_s": round(len(texts) / min(times), 1), "gflops": round(flops / min(times) / 1e9, 1),
              "relative_difference": round(diff, 5)})


def probe_accuracy(model: str, train_x: torch.Tensor, train_y: np.ndarray, test_x: torch.Tensor, test_y: np.ndarray) -> float:
    from weak2strong.experiment import regime_from_params
    from weak2strong.losses import Xent
    from weak2strong.training.probe import fit_probe, probe_predict

    cfg = regime_from_params(default_plan().train_options(model)).train  # what the workflow's probe of this model gets
    probe, _ = fit_probe(train_x, train_y.astype(np.float32), Xent(), cfg, seed=0)
    return float(((probe_predict(probe, test_x) > 0.5) == (test_y == 1)).mean())


def probe_check(models: list[str], datasets: list[str], results: Path, resources: str) -> None:
    import pandas as pd

    for dataset in datasets:
        path = results / "data" / dataset / "splits" / "seed0.parquet"
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `snakemake --cores all {path}` first (the default config's data step)")
        rows = pd.read_parquet(path)
        train, test = rows[rows["split"] == "train_a"], rows[rows["split"] == "test"]
        for model in models:
            spec = spec_of(model)
            acc, seconds = {}, {}
            for precision in ("fp32", "bf16"):
                start = time.perf_counter()
                feats = extract(spec, train["text"].tolist() + test["text"].tolist(), resources, precision == "bf16")
                seconds[precision] = round(time.perf_counter() - start, 1)
                acc[precision] = probe_accuracy(model, feats[:len(train)], train["label"].to_numpy(), feats[len(train):],
                                                test["label"].to_numpy())
            emit({"what": "probe_check", "dataset": dataset, "model": model, "train": len(train), "test": len(test),
                  "acc_fp32": round(acc["fp32"], 4), "acc_bf16": round(acc["bf16"], 4),
                  "difference_points": round(100 * (acc["bf16"] - acc["fp32"]), 2), "extraction_s": seconds})
            extract.models.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--model", default="mpnet", help="the model timed for extraction speed")
    ap.add_argument("--texts", type=int, default=128)
    ap.add_argument("--texts-from", default=None, help="a split Parquet file (text column) to take the texts from; default synthetic")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--probe-check", action="store_true")
    ap.add_argument("--models", nargs="+", default=list(default_plan().models))
    ap.add_argument("--datasets", nargs="+", default=["movie_sentiment", "nyt_editorial_sentiment"])
    ap.add_argument("--results", default="results")
    args = ap.parse_args()

    from weak2strong.models.precision import cpu_has_native_bf16

    OUT.parent.mkdir(exist_ok=True)
    emit({"what": "cpu", "native_bf16_units": cpu_has_native_bf16(), "threads": torch.get_num_threads(), "torch": torch.__version__})
    force_bf16()
    if args.probe_check:
        probe_check(args.models, args.datasets, Path(args.results), args.resources)
        return
    gemm(args.repeats)
    rng = np.random.default_rng(0)
    if args.texts_from:
        import pandas as pd

        texts = pd.read_parquet(args.texts_from)["text"].tolist()[: args.texts]
    else:
        words = "the claim that a review of this film was written by someone who liked the plot and its actors very much".split()
        texts = [" ".join(rng.choice(words, size=rng.integers(12, 30))) for _ in range(args.texts)]
    extraction_speed(args.model, texts, args.resources, args.repeats)


if __name__ == "__main__":
    main()

"""Does full fine-tuning give the students real weak labels? The issue's check, on real weights.

Trains, through the same functions the workflow calls (``experiment.weak_labels``, ``strong_ceiling``,
``student``), a weak model, a ceiling and students for each variant of the fine-tuning options, on
seed-split files the workflow wrote, and prints per variant: the weak labels' mean confidence
|2p − 1| on train_b, test accuracies (mean over seeds) and the PGR of mean accuracies for each loss.

CPU (reduced; the default run's MultiEmo splits and packaged MiniLM):
    python benchmarks/finetune_check.py --seeds 0 1 --variants lr:head_lr=none head:head_lr=auto
GPU (the issue's setting, 5 seeds):
    python benchmarks/finetune_check.py --seeds 0 1 2 3 4 --losses xent logconf product conf_threshold
``--weak-only`` trains only the weak models (the head's rate decides whether they supervise at all).
A variant is NAME:key=value,key=value with TrainConfig keys or the regime's own (lora_r, lp_lr) (head_lr=none: the backbone's rate).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def parse_variant(text: str) -> tuple[str, dict]:
    name, _, options = text.partition(":")
    out = {}
    for item in filter(None, options.split(",")):
        key, value = item.split("=")
        out[key] = None if value == "none" else (value if value == "auto" else float(value) if "." in value or "e" in value else int(value))
    return name, out


def markdown_table(paths: list[str]) -> str:
    """The weak rows of ``--out`` files as the README's head-rate table: one line per (model, variant)."""
    rows = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines() if line.strip()]
    table = pd.DataFrame([r for r in rows if r.get("role") == "weak"])
    lines = ["| model | variant | seeds | weak-label confidence \\|2p − 1\\| | if calibrated (2 · acc − 1) | positive share | "
             "weak test accuracy |", "|---|---|---|---|---|---|---|"]
    for (model, variant), g in table.groupby(["model", "variant"], sort=False):
        acc = g["weak_acc"].mean()
        lines.append(f"| {model} | {variant} | {len(g)} | {g['weak_confidence'].mean():.2f} | {2 * acc - 1:.2f} | "
                     f"{g['weak_positive_rate'].mean():.2f} | {acc:.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", default="results/data/multiemo_sentiment/splits", help="folder of seed<k>.parquet files")
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--weak", default="minilm-l6:1", help="backbone:layer of the weak model")
    ap.add_argument("--strong", default="minilm-l6:6", help="backbone:layer of the strong model")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--losses", nargs="+", default=["xent", "logconf", "product"])
    ap.add_argument("--variants", nargs="+", default=["lr:head_lr=none", "head:head_lr=auto"])
    ap.add_argument("--regime", default="finetune")
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--train-b", type=int, default=None, help="use only the first N train_b rows (a cheaper CPU run)")
    ap.add_argument("--train-a", type=int, default=None, help="use only the first N train_a rows (the weak model's training set)")
    ap.add_argument("--test", type=int, default=None, help="use only the first N test rows")
    ap.add_argument("--weak-only", action="store_true")
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--out", default=None, help="write every row as JSON lines here")
    ap.add_argument("--markdown", nargs="+", help="print the weak rows of these --out files as a table, and stop")
    args = ap.parse_args()
    if args.markdown:
        print(markdown_table(args.markdown))
        return

    import torch

    from weak2strong.experiment import regime_from_params, strong_ceiling, student, weak_labels
    from weak2strong.metrics import accuracy, label_diagnostics, pgr_of_means
    from weak2strong.models.registry import resolve_model

    def model(name, text):
        backbone, layer = text.split(":")
        return resolve_model(name, {"backbone": backbone, "layer": int(layer)})

    weak_spec, strong_spec = model("weak", args.weak), model("strong", args.strong)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {torch.cuda.get_device_name(0) if device == 'cuda' else 'cpu'}; torch {torch.__version__}", flush=True)
    rows = []
    out = open(args.out, "a") if args.out else None

    def record(row):
        rows.append(row)
        print(json.dumps(row), flush=True)
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()

    for seed in args.seeds:
        splits = pd.read_parquet(Path(args.splits) / f"seed{seed}.parquet")
        for part, cap in (("train_a", args.train_a), ("train_b", args.train_b), ("test", args.test)):
            if cap:
                splits = pd.concat([splits[splits["split"] != part], splits[splits["split"] == part].head(cap)])
        for name, options in map(parse_variant, args.variants):
            regime = regime_from_params({"name": args.regime, "lr": args.lr, "batch_size": 32, "epochs": args.epochs, "bf16": args.bf16,
                                         **options, "max_length": args.max_length})  # a regime's own options (lora_r, lp_lr) to its class
            kw = dict(seed=seed, dataset="check", resources_dir=args.resources)
            t = time.perf_counter()
            labels, _ = weak_labels(regime, weak_spec, splits, **kw)
            test = labels[labels["split"] == "test"]
            base = {"model": args.weak, "variant": name, "seed": seed,
                    **label_diagnostics(labels.loc[labels["split"] == "train_b", "soft_label"]),
                    "weak_acc": accuracy(test["soft_label"], test["gt_label"])}
            record({**base, "role": "weak", "seconds": round(time.perf_counter() - t, 1)})
            if args.weak_only:
                continue
            t = time.perf_counter()
            ceiling, _ = strong_ceiling(regime, strong_spec, splits, **kw)
            c = ceiling[ceiling["split"] == "test"]
            base["ceiling_acc"] = accuracy(c["soft_label"], c["gt_label"])
            record({**base, "role": "ceiling", "seconds": round(time.perf_counter() - t, 1)})
            for loss in args.losses:
                t = time.perf_counter()
                try:
                    preds, result = student(regime, strong_spec, splits, labels, loss, {}, **kw)
                except Exception as exc:  # e.g. a loss that keeps no label: reported, not hidden
                    record({**base, "role": "student", "loss": loss, "error": str(exc)[:200]})
                    continue
                s = preds[preds["split"] == "test"]
                record({**base, "role": "student", "loss": loss, "student_acc": accuracy(s["soft_label"], s["gt_label"]),
                        "kept_fraction": result.extra.get("kept_fraction"), "seconds": round(time.perf_counter() - t, 1)})

    table = pd.DataFrame(rows)
    print("\nper variant, mean over seeds:")
    for name, g in table.groupby("variant", sort=False):
        weak = g[g["role"] == "weak"]
        line = f"{name:>14}: weak confidence {weak['weak_confidence'].mean():.3f}, " \
               f"positive rate {weak['weak_positive_rate'].mean():.2f}, " \
               f"weak acc {weak['weak_acc'].mean():.3f}"
        ceil = g[g["role"] == "ceiling"]
        if len(ceil):
            line += f", ceiling {ceil['ceiling_acc'].mean():.3f}"
            for loss, s in g[g["role"] == "student"].groupby("loss", sort=False):
                if "student_acc" not in s or s["student_acc"].isna().all():
                    line += f", {loss}: error"
                    continue
                s = s.dropna(subset=["student_acc"]).merge(ceil[["seed", "ceiling_acc"]], on="seed", suffixes=("_x", ""))
                point, lo, hi, status = pgr_of_means(s.assign(weak_acc=s["weak_acc"]))
                interval = f" [{lo:.2f}, {hi:.2f}])" if not status else f", {status})"
                line += f", {loss} {s['student_acc'].mean():.3f} (PGR {point:.2f}" + interval
        print(line)
    if out:
        out.close()


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()

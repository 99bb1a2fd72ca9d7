"""benchmarks/gpu_run.py, the one prepared GPU run of config/paper.yaml, runs at tiny shapes on a CPU:
it prepares its carried files within the device's 64 MiB and writes a row of every part."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_gpu_run_prepares_its_files_and_runs_every_part_at_tiny_shapes(tmp_path, minilm):
    carry = tmp_path / "carry"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OUT": str(tmp_path / "out")}
    script = str(REPO / "benchmarks/gpu_run.py")
    subprocess.run([sys.executable, script, "--prepare", str(carry), "--resources", str(minilm.parents[1])], check=True, env=env)
    assert sum(f.stat().st_size for f in carry.rglob("*") if f.is_file()) < 64 * 2**20  # what one device call carries
    done = subprocess.run([sys.executable, script, "--carry", str(carry), "--cpu-smoke"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in (tmp_path / "out/gpu_run.jsonl").read_text().splitlines()]
    kinds = {(r["kind"], r["variant"] if r["kind"] == "loop" else r["role"]) for r in rows}
    assert {("loop", "workflow"), ("loop", "bare"), ("finetune_check", "weak"), ("twin_cell", "weak"), ("twin_cell", "ceiling"),
            ("twin_cell", "student")} <= kinds
    assert all(r["smoke"] and "error" not in r for r in rows)
    assert all(r["tflops"] > 0 for r in rows if r["kind"] in ("loop", "twin_cell"))

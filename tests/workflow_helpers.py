"""Running the workflow on a tiny config in a temporary directory, and reading what a dry run plans."""

import copy
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


TINY_CONFIG = REPO / ".test/config/config.yaml"


def tiny_config(data_path: Path, resources: Path) -> dict:
    """The tiny configuration (``.test/config/config.yaml``, runnable on its own) with its data file
    and resources folder where a test keeps them."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["resources_dir"] = str(resources)
    config["datasets"]["reviews"]["path"] = str(data_path)
    return config


def planned_figures(config: dict) -> list[str]:
    """The figures a config's run draws: every figure whose study the plan has (as the Snakefile asks)."""
    from weak2strong.families.registry import FIGURES
    from weak2strong.plan import build_plan

    needs = build_plan(config).needs
    return [name for name, f in FIGURES.items() if f.needs is None or f.needs in needs]


def decoder_config(config: dict, workdir: Path) -> dict:
    """``config`` with a tiny random-init decoder saved in ``workdir`` as a strong model (``dec``), a
    GFT variant of it (``dec_gft``), and few-shot prompting of ``dec``."""
    from tiny_decoder import save_tiny_decoder

    config = copy.deepcopy(config)
    decoder = save_tiny_decoder(workdir / "tiny-decoder")
    dec = {"backbone": "tiny-decoder", "hub_id": str(decoder), "arch": "decoder", "n_layers": 2, "n_params": 100.0}
    config["models"].update(dec=dec, dec_gft={**dec, "gft": {"max_texts": 50, "batch_size": 16}})
    config["experiment"]["strong"] = [*config["experiment"]["strong"], "dec", "dec_gft"]
    config["prompting"] = {"models": ["dec"], "k": 2, "test_size": 30}
    return config


def snakemake(workdir: Path, *args: str, config: str = "config.yaml", snakefile: Path = REPO / "Snakefile",
              check: bool = True, steady_polls: bool = False, **popen) -> subprocess.CompletedProcess:
    """``steady_polls``: a remote executor's status checks at the given interval, never backed off
    (tests/snakemake_steady_polls.py)."""
    launcher = [str(REPO / "tests" / "snakemake_steady_polls.py")] if steady_polls else ["-m", "snakemake"]
    cmd = [sys.executable, *launcher, "--snakefile", str(snakefile), "--directory", str(workdir),
           "--configfile", str(workdir / config), "--cores", "2", *args]
    env = {**popen.pop("env", os.environ), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, **popen)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def planned_jobs(workdir: Path, config: dict, name: str | None = None, **kw) -> dict[str, int]:
    """Rule name -> number of jobs a dry run would execute with ``config``. The one figure rule is
    counted per figure: ``figure:pgr`` etc. The config is written to ``name``, by default a new file,
    so tests in other processes can dry-run against the same shared workflow at once."""
    name = name or f"changed-{uuid.uuid4().hex[:12]}.yaml"
    (workdir / name).write_text(yaml.safe_dump(config))
    out = snakemake(workdir, "-n", config=name, **kw).stdout
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:")[1]
    jobs = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, flags=re.M) if m.group(1) != "total"}
    if jobs.pop("figure", 0):
        for figure in re.findall(r"^rule figure:\n(?:\s+.*\n)*?\s+output: results/figures/(\w+)\.", out, flags=re.M):
            jobs[f"figure:{figure}"] = jobs.get(f"figure:{figure}", 0) + 1
    return jobs

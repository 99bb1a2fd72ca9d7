"""Every ``snakemake`` call, dry runs included, plans the workflow from the config; that must not
import torch (2-5 s on a small machine, paid by every call and every job's start). A real dry run
with Python's import log, so any import the Snakefile or the plan gains is seen."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workflow_helpers import REPO

pytestmark = pytest.mark.slow  # runs Snakemake or fresh interpreters; `make test` runs it

HEAVY = re.compile(r"\|\s*(torch|transformers|peft|matplotlib)\s*$", flags=re.M)  # top-level packages in the import log


OVERLAYS = [None, ["config/reward.yaml"], ["config/reward.yaml", "config/gft.yaml"], ["config/prompting.yaml"], ["config/vision.yaml"],
            ["config/chess.yaml"], ["config/paper.yaml"]]


def test_every_shipped_overlay_is_planned_here():
    shipped = {p.name for p in (REPO / "config").glob("*.yaml")} - {"config.yaml"}
    assert shipped == {Path(o).name for overlay in OVERLAYS if overlay for o in overlay}


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda o: "+".join(Path(x).stem for x in o) if o else "default")
def test_planning_the_workflow_imports_no_torch(overlay, tmp_path):
    """Every shipped config, each family's plan included (vision's backbones are checked without torch)."""
    configs = [str(REPO / "config/config.yaml")] + [str(REPO / o) for o in overlay or []]
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
           "--configfile", *configs, "-n", "--cores", "1"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPROFILEIMPORTTIME": "1"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "import time:" in out.stderr and "weak2strong.plan" in out.stderr  # the log is there, and it saw the plan
    assert not HEAVY.findall(out.stderr), f"planning with {overlay or 'the default'} imported {sorted(set(HEAVY.findall(out.stderr)))}"

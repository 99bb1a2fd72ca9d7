"""Every ``snakemake`` call, dry runs included, plans the workflow from the config; that must not
import torch (2-5 s on a small machine, paid by every call and every job's start). A real dry run
with Python's import log, so any import the Snakefile or the plan gains is seen."""

import os
import re
import subprocess
import sys

import pytest

from workflow_helpers import REPO

pytestmark = pytest.mark.slow  # runs Snakemake or fresh interpreters; `make test` runs it

HEAVY = re.compile(r"\|\s*(torch|transformers|peft|matplotlib)\s*$", flags=re.M)  # top-level packages in the import log


@pytest.mark.parametrize("overlay", [None, "config/reward.yaml", "config/prompting.yaml"])
def test_planning_the_workflow_imports_no_torch(overlay, tmp_path):
    configs = [str(REPO / "config/config.yaml")] + ([str(REPO / overlay)] if overlay else [])
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
           "--configfile", *configs, "-n", "--cores", "1"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPROFILEIMPORTTIME": "1"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "import time:" in out.stderr and "weak2strong.plan" in out.stderr  # the log is there, and it saw the plan
    assert not HEAVY.findall(out.stderr), f"planning with {overlay or 'the default'} imported {sorted(set(HEAVY.findall(out.stderr)))}"

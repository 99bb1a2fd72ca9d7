"""Every ``snakemake`` call, dry runs included, plans the workflow from the config; that must not
import torch (2-5 s on a small machine, paid by every call and every job's start)."""

import subprocess
import sys

import pytest

from workflow_helpers import REPO

PLANNING = """
import sys, yaml
import weak2strong.assets, weak2strong.figures, weak2strong.provenance, weak2strong.workflow_support
from weak2strong.plan import build_plan
def merged(base, overlay):  # as Snakemake merges --configfile overlays
    out = dict(base)
    for key, value in overlay.items():
        out[key] = merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out
config = yaml.safe_load(open("config/config.yaml"))
for path in sys.argv[1:]:
    config = merged(config, yaml.safe_load(open(path)))
build_plan(config)
heavy = sorted(m for m in ("torch", "transformers", "peft", "matplotlib") if m in sys.modules)
print(",".join(heavy))
"""


@pytest.mark.parametrize("config", ["config/config.yaml", "config/reward.yaml", "config/prompting.yaml"])
def test_planning_the_workflow_imports_no_torch(config):
    out = subprocess.run([sys.executable, "-c", PLANNING, config], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "", f"planning {config} imported {out.stdout.strip()}"

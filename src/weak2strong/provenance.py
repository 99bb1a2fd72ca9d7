"""Which library code an artefact depends on, as a hash that goes into a rule's ``params``.

Snakemake tracks a ``script:`` file's changes but not the modules it imports. Each rule passes the
hash of the modules its science depends on, so editing a loss reruns the students (and what
aggregates them) and nothing else; editing a plot reruns only figures.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# Which modules each step's output depends on (paths relative to the package).
STEP_MODULES: dict[str, list[str]] = {
    "data": ["data", "schemas.py"],
    "features": ["models"],
    # losses.py is hashed per loss (loss_code_hash), so editing one loss reruns its students only.
    "train": ["models", "training", "experiment.py", "schemas.py"],
    "metrics": ["metrics.py", "experiment.py"],
    "plots": ["plots.py"],
    "bootstrap": ["bootstrap.py"],
}


def code_hash(step: str) -> str:
    """sha1 over the source text of the step's modules (files in sorted order), 12 hex digits."""
    digest = hashlib.sha1()
    for entry in STEP_MODULES[step]:
        path = PACKAGE_DIR / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(PACKAGE_DIR)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


def loss_code_hash(name: str) -> str:
    """Hash of one loss's class plus the module-level helpers every loss may call."""
    import inspect

    from . import losses

    parts = [inspect.getsource(losses.LOSSES[name])]
    helpers = (losses.soft_targets, losses.cross_entropy, losses.hardened_predictions, losses.linear_ramp,
               losses.confidence, losses.masked_cross_entropy)
    parts += [inspect.getsource(fn) for fn in helpers]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]

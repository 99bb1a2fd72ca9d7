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
    """Hash of one loss's class (with the classes of losses.py it inherits from) plus every
    module-level function of losses.py (the helpers any loss may call, found, not listed)."""
    import inspect

    from . import losses

    ours = losses.__name__
    parts = [inspect.getsource(c) for c in losses.LOSSES[name].__mro__ if c.__module__ == ours]
    parts += [inspect.getsource(f) for _, f in inspect.getmembers(losses, inspect.isfunction) if f.__module__ == ours]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]

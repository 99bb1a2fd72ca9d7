"""Which library code an artefact depends on, as a hash that goes into a rule's ``params``.

Snakemake tracks a ``script:`` file's changes but not the modules it imports. Each step names the
modules its job starts from; the modules they import, directly or not (found by reading their
``import`` statements, including imports inside functions), are hashed with them. So editing a
helper reruns every step that can reach it, and nothing else. For the training steps ``losses.py``
is hashed per loss instead (``loss_code_hash``), so editing one loss reruns its students only.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name

# Where each step's job starts (module names relative to the package). The training back-ends are
# imported by name at run time (regimes.py), so the regimes' back-end modules are added to "train".
STEP_ENTRIES: dict[str, list[str]] = {
    "data": ["data.prepare", "data.splits"],
    "features": ["models.features"],
    "train": ["train_job"],
    "bootstrap": ["bootstrap"],
    "easy_to_hard": ["easy_to_hard", "experiment"],
    "metrics": ["metrics"],
    "plots": ["plots", "figures"],
    "chess": ["chess_experiment", "data.chess_puzzles"],
    "simulated": ["simulated"],
    "vision": ["vision_experiment", "data.images", "models.vision"],
    "prompting": ["prompting", "models.decoder"],
    "gft": ["gft"],
}
PER_LOSS = "losses"
PER_LOSS_STEPS = {"train", "bootstrap", "easy_to_hard", "simulated", "vision"}  # their rules hash each loss they train with apart


def module_path(name: str) -> Path | None:
    """The file of package module ``name`` ("training.loop"), or None when it is not ours."""
    base = PACKAGE_DIR.joinpath(*name.split(".")) if name else PACKAGE_DIR
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(name: str) -> set[str]:
    """Package modules that module ``name`` imports anywhere in its source."""
    path = module_path(name)
    package_parts = name.split(".") if path.name != "__init__.py" else name.split(".") + ["__init__"]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" if module else a.name for a in node.names]
        else:
            continue
        for target in targets:
            if target.startswith(PACKAGE + "."):
                target = target[len(PACKAGE) + 1:]
            elif target == PACKAGE:
                target = ""
            if module_path(target) is not None and target:
                out.add(target)
    return out


@lru_cache(maxsize=None)
def module_closure(entries: tuple[str, ...]) -> tuple[str, ...]:
    """The entries and every package module they reach through imports (sorted)."""
    seen: set[str] = set()
    stack = list(entries)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        # a package's __init__ runs when any of its modules is imported
        parent = name.rsplit(".", 1)[0] if "." in name else None
        if parent and module_path(parent) is not None:
            stack.append(parent)
        stack.extend(imported_modules(name) - seen)
    return tuple(sorted(seen))


def step_modules(step: str) -> list[str]:
    """The modules whose source a step's output depends on (for training: without ``losses``)."""
    entries = list(STEP_ENTRIES[step])
    if step == "train":
        from .regimes import REGIMES

        entries += [r.backend.partition(":")[0].removeprefix(PACKAGE + ".") for r in REGIMES.values()]
    return [m for m in module_closure(tuple(sorted(set(entries)))) if not (step in PER_LOSS_STEPS and m == PER_LOSS)]


def code_hash(step: str) -> str:
    """sha1 over the source text of the step's modules (in sorted order), 12 hex digits."""
    digest = hashlib.sha1()
    for name in step_modules(step):
        path = module_path(name)
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def loss_code_hash(name: str) -> str:
    """Hash of one loss's class (with the classes of losses.py it inherits from) plus every
    module-level function of losses.py (the helpers any loss may call, found, not listed)."""
    from . import losses

    ours = losses.__name__
    parts = [inspect.getsource(c) for c in losses.LOSSES[name].__mro__ if c.__module__ == ours]
    parts += [inspect.getsource(f) for _, f in inspect.getmembers(losses, inspect.isfunction) if f.__module__ == ours]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]

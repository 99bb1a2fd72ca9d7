"""Which library code an artefact depends on, as a hash that goes into a rule's ``params``.

Snakemake tracks a ``script:`` file's changes but not the modules it imports. A rule's ``code`` param
hashes the modules its script imports and every module they import, directly or not (found by
reading the ``import`` statements, including imports inside functions, and ``"weak2strong.<module>:<object>"``
declarations, which are imported by name at run time): ``script_code_hash``. So editing a
helper reruns every rule whose job can reach it, and nothing else, without a hand-kept list. Rules
that train with a loss hash ``losses.py`` per loss instead (``loss_code_hash``), so editing one loss
reruns its students only.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name

PER_LOSS = "losses"
# A declaration "weak2strong.<module>:<object>" (a regime's back-end) names a module imported at run time.
DECLARED = re.compile(rf"{PACKAGE}(\.\w+)+:\w+")


def module_path(name: str) -> Path | None:
    """The file of package module ``name`` ("training.loop"), or None when it is not ours."""
    base = PACKAGE_DIR.joinpath(*name.split(".")) if name else PACKAGE_DIR
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(name: str, declarations: bool = True) -> set[str]:
    """Package modules that module ``name`` imports anywhere in its source, and (``declarations``) the
    modules its ``"weak2strong.<module>:<object>"`` strings name for import at run time."""
    path = module_path(name)
    stat = path.stat()
    return set(_imports_in_file(path, stat.st_mtime_ns, stat.st_size, name, declarations))


@lru_cache(maxsize=None)
def _imports_in_file(path: Path, mtime_ns: int, size: int, name: str, declarations: bool) -> frozenset[str]:
    """``imported_modules`` of one version of a file: every Snakemake start hashes each rule's closure, and
    the closures share most modules, so each file is parsed once per process (an edited file has
    another mtime or size, and is read again)."""
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
        elif declarations and isinstance(node, ast.Constant) and isinstance(node.value, str) and DECLARED.fullmatch(node.value):
            targets = [node.value.partition(":")[0]]  # "weak2strong.training.probe:probe_and_predict": imported by name
        else:
            continue
        for target in targets:
            if target.startswith(PACKAGE + "."):
                target = target[len(PACKAGE) + 1:]
            elif target == PACKAGE:
                target = ""
            if module_path(target) is not None and target:
                out.add(target)
    return frozenset(out)


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


def script_entries(script: Path) -> list[str]:
    """The package modules a workflow script imports (``from weak2strong.x import y``), anywhere in it."""
    out = set()
    for node in ast.walk(ast.parse(Path(script).read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
            base = node.module.removeprefix(PACKAGE).lstrip(".")
            names = [base] + [f"{base}.{a.name}" if base else a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name.removeprefix(PACKAGE).lstrip(".") for a in node.names if a.name.startswith(PACKAGE)]
        out |= {n for n in names if n and module_path(n) is not None}
    return sorted(out)


def script_modules(script: Path, per_loss: bool = False) -> list[str]:
    """Every package module a workflow script's job can run: the import closure of the modules the
    script imports (a declaration such as a regime's back-end, ``"weak2strong.training.probe:..."``,
    counts as an import). ``per_loss``: the rule hashes each loss apart, so ``losses.py`` is left out."""
    closure = module_closure(tuple(script_entries(script)))
    return sorted(m for m in closure if not (per_loss and m == PER_LOSS))


def modules_code_hash(names) -> str:
    """sha1 over the paths and sources of these package modules, 12 hex digits."""
    digest = hashlib.sha1()
    for name in names:
        path = module_path(name)
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def script_code_hash(script: Path, per_loss: bool = False) -> str:
    """The hash of every module ``script_modules`` finds: a rule's ``code`` param, so editing any module
    its job can reach reruns it, and editing any other does not."""
    return modules_code_hash(script_modules(script, per_loss))


def declaration_code_hash(declaration: str) -> str:
    """The hash of the module a ``"weak2strong.<module>:<object>"`` declaration names (a family's
    figure drawing, which a generic job imports by name) and of every module it reaches."""
    if not DECLARED.fullmatch(declaration):
        raise ValueError(f"declaration '{declaration}': write it as '{PACKAGE}.<module>:<object>'")
    module = declaration.partition(":")[0].removeprefix(PACKAGE + ".")
    return modules_code_hash(module_closure((module,)))


def loss_code_hash(name: str) -> str:
    """Hash of one loss's class (with the classes of losses.py it inherits from) plus every
    module-level function of losses.py (the helpers any loss may call, found, not listed)."""
    from . import losses

    ours = losses.__name__
    parts = [inspect.getsource(c) for c in losses.LOSSES[name].__mro__ if c.__module__ == ours]
    parts += [inspect.getsource(f) for _, f in inspect.getmembers(losses, inspect.isfunction) if f.__module__ == ours]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]

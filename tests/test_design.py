"""docs/design.md's floor table is the package's import structure: every module is on a floor, and no
module imports one on a higher floor (imports inside functions count; a declaration such as a regime's
back-end, "weak2strong.training.probe:probe_and_predict", names a module to import later and does not)."""

import re
from pathlib import Path

from weak2strong.provenance import PACKAGE_DIR, imported_modules

REPO = Path(__file__).resolve().parents[1]


def floors() -> dict[str, int]:
    """Module or subpackage ("data/") -> its floor, from the table of docs/design.md."""
    out = {}
    for floor, cell in re.findall(r"^\| (\d) \| ([^|]+) \|", (REPO / "docs/design.md").read_text(), flags=re.M):
        for name in re.findall(r"`([\w/]+)`", cell):
            out[name] = int(floor)
    return out


def floor_of(module: str, table: dict[str, int]) -> int | None:
    """A module's own row, its package's ``__init__`` row ("families/__init__"), else its subpackage's ("data/")."""
    for key in (module, module.replace(".", "/") + "/__init__"):
        if key in table and ("." not in module or key.endswith("__init__")):
            return table[key]
    return table.get(module.split(".")[0] + "/")


def modules() -> list[str]:
    names = []
    for path in PACKAGE_DIR.rglob("*.py"):
        rel = path.relative_to(PACKAGE_DIR).with_suffix("")
        if rel.name != "__init__" and "scripts" not in rel.parts:  # a family's job scripts are not modules
            names.append(".".join(rel.parts))
    return sorted(names)


def test_every_module_has_a_floor():
    table = floors()
    assert len(table) > 10
    assert [m for m in modules() if floor_of(m, table) is None] == []


def test_no_module_imports_a_higher_floor():
    table = floors()
    upward = [(m, floor_of(m, table), i, floor_of(i, table)) for m in modules() for i in imported_modules(m, declarations=False)
              if floor_of(i, table) is not None and floor_of(i, table) > floor_of(m, table)]
    assert upward == [], "imports that go up a floor (module, its floor, imported, its floor)"

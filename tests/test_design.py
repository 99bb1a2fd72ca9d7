"""docs/design.md's floor table is the package's import structure: every module is on a floor, and no
module imports one on a higher floor (imports inside functions count; a declaration such as a regime's
back-end, "weak2strong.training.probe:probe_and_predict", names a module to import later and does not).
No module reaches itself through imports and declarations together; registries and declarations have
one form (registry.py)."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

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


def import_graph(declarations: bool = True) -> dict[str, set[str]]:
    """Module -> the package modules it imports anywhere in its source, and (``declarations``) those its
    ``"weak2strong.<module>:<object>"`` declarations name (imported by name when the entry is used)."""
    packages = {".".join(p.parent.relative_to(PACKAGE_DIR).parts) for p in PACKAGE_DIR.rglob("__init__.py")} - {""}
    names = set(modules()) | packages  # a package's __init__ is a module too ("families")
    return {m: {i for i in imported_modules(m, declarations=declarations) if i in names and i != m} for m in names}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_cycles_finds_a_cycle_through_a_declared_edge():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({**graph, "c": set()}) == []


def test_no_import_cycle_declared_edges_included():
    """Module-level or not, no module reaches itself through imports or declarations: a cycle is how
    ``figures`` and a family's figures once failed to import first in a fresh interpreter."""
    assert cycles(import_graph()) == []


def test_declarations_are_spelled_one_way_and_resolve():
    """Every "module:object" string in the package is absolute (``weak2strong.x:y``), so provenance, the
    cycle check and ``registry.load`` read it alike, and each names an object that exists."""
    import ast

    from weak2strong.provenance import DECLARED, module_path
    from weak2strong.registry import load

    declared, relative = set(), []
    for m in modules():
        tree = ast.parse(module_path(m).read_text())
        # a template's pieces (f"weak2strong.plots:draw_{name}") are not declarations of their own
        templates = {id(c) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for c in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in templates:
                if DECLARED.fullmatch(node.value):
                    declared.add(node.value)
                elif re.fullmatch(r"[a-z_]+(\.[a-z_]+)*:[A-Za-z_]\w*", node.value):
                    if module_path(node.value.partition(":")[0].replace("weak2strong.", "")):
                        relative.append((m, node.value))
    assert relative == [], "declarations spelled relative to the package"
    assert len(declared) >= 8
    for declaration in sorted(declared):
        assert load(declaration) is not None, declaration


def test_a_registry_refuses_a_name_twice_and_any_entry_once_frozen_and_names_the_known_ones():
    from weak2strong.registry import Registry, load

    @dataclass(frozen=True)
    class Spec:
        name: str

    registry = Registry("widget", [Spec("a"), Spec("b")])
    with pytest.raises(ValueError, match="widget 'a' is registered twice"):
        registry.add(Spec("a"))
    registry.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        registry.add(Spec("c"))
    with pytest.raises(KeyError, match="unknown widget 'z'; known: a, b"):
        registry["z"]
    with registry.added(Spec("c")):
        assert registry.names() == ["a", "b", "c"]
    assert registry.names() == ["a", "b"] and registry.get("z") is None
    assert load("weak2strong.registry:Registry") is Registry
    for bad in ("registry.Registry", ".registry:Registry", "weak2strong.registry:"):
        with pytest.raises(ValueError, match="write it as 'weak2strong.<module>:<object>'"):
            load(bad)

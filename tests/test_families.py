"""Experiment families have one seam: a folder and a line of ``FAMILIES`` (families/registry.py). Each line resolves,
the core knows no family by name (vision, the family that lives in its own folder, is the check), and
a new family added to a copy of the workflow by a folder and one line runs there."""

import copy
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from weak2strong.families import REPO, FamilyPlan
from weak2strong.families.registry import FAMILIES, FIGURES
from weak2strong.figures import FigureSpec
from weak2strong.plan import build_plan
from weak2strong.provenance import PACKAGE_DIR, imported_modules
from weak2strong.registry import load


def test_every_family_line_resolves_to_a_plan_rules_and_its_own_schema_and_figures():
    assert set(FAMILIES) >= {"chess", "simulated", "prompting", "vision"}
    for name, family in FAMILIES.items():
        assert callable(load(family.plan)) and (family.rules is None or (REPO / family.rules).is_file()), name
        if family.schema:
            schema = yaml.safe_load((REPO / family.schema).read_text())
            assert schema["type"] == "object" and schema["properties"], name
        for spec in load(family.figures) if family.figures else []:
            assert isinstance(spec, FigureSpec) and FIGURES[spec.name] is spec and spec.needs, (name, spec.name)


def test_each_familys_figures_module_imports_first_in_a_fresh_interpreter():
    """A family's figures module imports ``FigureSpec`` from the core's figures module; the core used to add
    the families' figures while it was still loading, so importing a family's figures first failed
    ("partially initialized module"); now the core's figures module imports no family."""
    modules = sorted({family.figures.partition(":")[0] for family in FAMILIES.values() if family.figures})
    assert modules
    for module in modules:
        code = f"import {module}; from weak2strong.families.registry import FIGURES; print(len(FIGURES))"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0, (module, result.stderr[-2000:])
        assert int(result.stdout) > len(load(FAMILIES["vision"].figures)), module


def test_the_plan_holds_a_family_plan_exactly_for_each_block_the_config_has():
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    plan = build_plan(config)
    assert set(plan.families) == {name for name in FAMILIES if config.get(name)} == {"bootstrap", "easy_to_hard", "simulated"}
    assert all(isinstance(p, FamilyPlan) for p in plan.families.values())
    assert {"simulated", "bootstrap", "easy_to_hard"} <= plan.needs and not {"chess", "vision", "prompting"} & plan.needs


def test_the_core_names_no_family():
    """Every family lives in its folder: no core module imports one or names one in its code (a string
    outside docstrings), no core rule or script names one, and the core schema leaves their blocks to
    their own schemas. One exception, by design: ``gft`` is also a model's option in the core schema
    (``models.<name>.gft``), which the model registry reads; the family trains what it asks for."""
    import ast

    assert {"bootstrap", "chess", "easy_to_hard", "gft", "reward_modelling", "simulated", "prompting", "vision"} <= set(FAMILIES)
    core_paths = [p for p in PACKAGE_DIR.rglob("*.py") if "families" not in p.relative_to(PACKAGE_DIR).parts]
    core_modules = [".".join(p.relative_to(PACKAGE_DIR).with_suffix("").parts).removesuffix(".__init__") for p in core_paths]
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    core_files = [REPO / "Snakefile", *(REPO / "workflow/rules").glob("*.smk"), *(REPO / "workflow/scripts").glob("*.py")]
    strings = {}  # core module -> its string constants, docstrings left out
    for path, module in zip(core_paths, core_modules):
        tree = ast.parse(path.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        strings[module] = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                           and id(n) not in docstrings]
    for name in FAMILIES:
        assert not [m for m in core_modules for i in imported_modules(m) if i.startswith(f"families.{name}")], name
        assert name not in schema["properties"], name
        assert not [f.name for f in core_files if re.search(rf"\b{name}\b", f.read_text())], name
        exempt = {"models.registry"} if name == "gft" else set()
        named = sorted(m for m, values in strings.items() if m not in exempt and any(re.search(rf"\b{name}\b", v) for v in values))
        assert not named, (name, named)


TOY_PLAN = '''
from dataclasses import dataclass

from .. import FamilyPlan


@dataclass
class ToyPlan(FamilyPlan):
    message: str

    @property
    def needs(self):
        return {"toy"}

    def targets(self, plan):
        return [f"results/toy/{d}.txt" for d in plan.datasets]


def toy_plan(config, plan):
    block = config.get("toy")
    return ToyPlan(block["message"]) if block else None
'''

TOY_RULES = '''
TOY = PLAN.families.get("toy")


if TOY:

    rule toy:
        input:
            "results/data/{dataset}/examples.parquet",
        output:
            "results/toy/{dataset}.txt",
        params:
            message=TOY.message,
            code=script_code("toy", family="toy"),
        script:
            "scripts/toy.py"
'''

TOY_SCHEMA = '''
$schema: "https://json-schema.org/draft/2020-12/schema"
type: object
additionalProperties: false
required: [message]
properties:
  message: {type: string}
'''


@pytest.mark.slow  # a Snakemake dry run in a copy of the workflow
def test_a_new_family_is_one_folder_and_one_table_line(tmp_path):
    """Copy the workflow, add families/toy/ (plan, rules, script, schema) and one line to FAMILIES (families/registry.py),
    change nothing else: a config with a `toy` block plans its jobs, and a bad block is refused by the
    family's schema."""
    work = _workflow_copy(tmp_path / "repo")
    toy = work / "src/weak2strong/families/toy"
    (toy / "scripts").mkdir(parents=True)
    (toy / "__init__.py").write_text('"""A toy family."""\n')
    (toy / "plan.py").write_text(textwrap.dedent(TOY_PLAN))
    (toy / "rules.smk").write_text(textwrap.dedent(TOY_RULES))
    (toy / "schema.yaml").write_text(textwrap.dedent(TOY_SCHEMA))
    (toy / "scripts/toy.py").write_text("from pathlib import Path\n\nPath(snakemake.output[0]).write_text(snakemake.params.message)\n")
    table = work / "src/weak2strong/families/registry.py"
    line = '        Family.in_folder("toy", "toy_plan", figures=False, tables=False),\n'
    text = table.read_text()
    assert text.count("    ],\n).freeze()") == 1
    table.write_text(text.replace("    ],\n).freeze()", line + "    ],\n).freeze()"))

    config = yaml.safe_load((REPO / ".test/config/config.yaml").read_text())
    config["toy"] = {"message": "hello"}
    (work / "toy.yaml").write_text(yaml.safe_dump(config))

    def dry_run():
        return subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--directory", str(work / ".test"),
                               "--snakefile", str(work / "Snakefile"), "--configfile", str(work / "toy.yaml")],
                              capture_output=True, text=True, cwd=work, env={**_env(), "PYTHONPATH": str(work / "src")})

    result = dry_run()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    datasets = list(config["datasets"])
    assert re.search(rf"^toy\s+{len(datasets)}$", result.stdout, flags=re.M), result.stdout[-3000:]

    config["toy"] = {"message": 3}
    (work / "toy.yaml").write_text(yaml.safe_dump(config))
    result = dry_run()
    assert result.returncode != 0 and "`toy` block" in result.stdout + result.stderr


def _workflow_copy(work: Path) -> Path:
    """The workflow as a clean checkout has it, copied to ``work``."""
    work.mkdir()
    for part in ("Snakefile", "workflow", "config", "profiles", ".test"):
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, work / part)
    shutil.copytree(REPO / "src", work / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return work


def _planned_jobs(work: Path, config: Path) -> dict[str, int]:
    result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--directory", str(work / ".test"),
                             "--snakefile", str(work / "Snakefile"), "--configfile", str(config)],
                            capture_output=True, text=True, cwd=work, env={**_env(), "PYTHONPATH": str(work / "src")})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", result.stdout.split("Job stats:")[-1], flags=re.M)}


@pytest.mark.slow  # a dry run per shipped family, each in a copy of the workflow without it
def test_each_shipped_family_is_its_folder_and_its_line(tmp_path):
    """The toy family's test run backwards for every shipped family: in a copy of the workflow with the
    family's folder deleted and its line dropped from FAMILIES, a config that removes every family's block
    plans exactly the jobs the whole workflow plans for it. Nothing outside the folder and the line
    belongs to the family (a core rule that read its plan, a core figure that drew it, would fail)."""
    config = yaml.safe_load((REPO / ".test/config/config.yaml").read_text())
    shipped = [name for name, f in FAMILIES.items() if f.plan.startswith(f"weak2strong.families.{name}.")]
    assert {"bootstrap", "chess", "easy_to_hard", "reward_modelling", "simulated", "prompting", "vision"} <= set(shipped)
    assert {"easy_to_hard", "simulated"} <= set(config)  # the tiny run has these: removing them is a change
    config |= dict.fromkeys(FAMILIES)  # null: the block removed, also from the default config the Snakefile reads first
    (tmp_path / "core.yaml").write_text(yaml.safe_dump(config))
    whole = _planned_jobs(_workflow_copy(tmp_path / "whole"), tmp_path / "core.yaml")
    assert whole["train_student"] and whole["metrics"] == 1
    for name in shipped:
        work = _workflow_copy(tmp_path / name)
        shutil.rmtree(work / f"src/weak2strong/families/{name}")
        table = work / "src/weak2strong/families/registry.py"
        line = re.search(rf'^ +Family\.in_folder\("{name}".*\n', table.read_text(), flags=re.M)
        assert line, f"{name}: no line of its own in FAMILIES"
        table.write_text(table.read_text().replace(line.group(0), ""))
        assert _planned_jobs(work, tmp_path / "core.yaml") == whole, name


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_every_family_is_a_folder_that_keeps_all_it_declares_inside_it():
    """Every family's line names only its own folder: its plan, rules, scripts, schema, figures and tables
    (what makes adding one a folder and a line), and its rules run only the scripts beside them."""
    assert {"bootstrap", "chess", "easy_to_hard", "reward_modelling", "simulated", "prompting", "vision"} <= set(FAMILIES)
    for name, family in FAMILIES.items():
        folder = f"src/weak2strong/families/{name}/"
        module = f"weak2strong.families.{name}."
        assert family.plan.startswith(module + "plan:"), name
        assert family.schema in (None, folder + "schema.yaml") and (family.schema is None or (REPO / family.schema).is_file()), name
        for declaration in (family.figures, family.tables):
            assert declaration is None or declaration.startswith(module), (name, declaration)
        scripts_here = {p.stem for p in (REPO / folder / "scripts").glob("*.py")}
        if family.rules is None:  # a family that adds no rules has no scripts either
            assert not scripts_here and not (REPO / folder / "rules.smk").exists(), name
            continue
        assert family.rules == folder + "rules.smk", name
        rules = (REPO / family.rules).read_text()
        scripts = set(re.findall(r'"scripts/(\w+)\.py"', rules))
        assert scripts and scripts == scripts_here, name
        assert "../" not in rules, f"{name}'s rules reach outside its folder"


def test_an_overlay_removes_the_entries_of_a_mapping_its_family_declares_removable():
    """The core knows no family's block: bootstrapping's line says its chains may be removed one by one
    (the paper twin drops chains this way), and the config check removes exactly those nulls."""
    from weak2strong.config_check import removable_mappings
    from weak2strong.workflow_support import drop_removed_entries

    assert removable_mappings() == ["datasets", "models", "bootstrap.chains"]
    config = {"datasets": {"a": {"source": "local"}, "b": None}, "easy_to_hard": None,
              "bootstrap": {"chains": {"kept": ["s", "m", "l"], "gone": None}},
              "simulated": {"feature_subset": None}}  # not declared removable: its null means something, and stays
    removed = drop_removed_entries(config, removable_mappings())
    assert sorted(removed) == ["bootstrap.chains.gone", "datasets.b", "easy_to_hard"]
    assert config == {"datasets": {"a": {"source": "local"}}, "bootstrap": {"chains": {"kept": ["s", "m", "l"]}},
                      "simulated": {"feature_subset": None}}


def _without_defaulted_keys(value, schema: dict):
    """``value`` less every key set to the default its schema gives it (in present objects too): what a user may
    leave out without changing the experiment."""
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    return {k: _without_defaulted_keys(v, properties.get(k, {})) for k, v in value.items()
            if not ("default" in properties.get(k, {}) and properties[k]["default"] == v)}


@pytest.mark.parametrize("overlay", [None, "prompting.yaml", "vision.yaml", "chess.yaml", "reward.yaml"])
def test_every_family_plans_the_same_with_or_without_snakemakes_defaults(overlay):
    """A family's plan agrees with its schema's defaults: its plan from a block that leaves out every option set
    to its default, never validated (a test's, a script's config), is the plan from the same block validated.
    (A default that drifted fails here; one copied into code with the same value fails the test below.)"""
    from dataclasses import asdict

    from snakemake.utils import update_config

    from weak2strong.config_check import validate_config
    from weak2strong.config_schema import read_schema
    from weak2strong.plan import build_plan

    raw: dict = {}
    for name in ["config.yaml"] + ([overlay] if overlay else []):
        update_config(raw, yaml.safe_load((REPO / "config" / name).read_text()))
    for name, family in FAMILIES.items():
        if family.schema and raw.get(name) is not None:
            raw[name] = _without_defaulted_keys(raw[name], read_schema(REPO / family.schema))
    validated = validate_config(copy.deepcopy(raw), REPO)
    plain, filled = build_plan(copy.deepcopy(raw)), build_plan(validated)
    assert plain.families.keys() == filled.families.keys() and plain.families
    for name, family in filled.families.items():
        assert asdict(plain.families[name]) == asdict(family), name


def _defaulted_keys(schema: dict) -> set[str]:
    keys = set()
    for key, spec in (schema.get("properties") or {}).items():
        if "default" in spec:
            keys.add(key)
        keys |= _defaulted_keys(spec)
    return keys


CONFIG_NAMES = {"block", "options", "opts"}  # what the families' modules call a block of the config, or a part of one


def test_no_family_writes_a_schema_default_again_in_its_code():
    """``block.get("k", 5)`` beside the schema's ``k: {default: 5}`` is a second home for one default
    (prompting's plan and the simulated supervisors' had them): no module of a family folder reads an
    option its schema gives a default from a config block (``CONFIG_NAMES``) with a literal fallback."""
    import ast

    from weak2strong.config_schema import read_schema

    found = []
    for name, family in FAMILIES.items():
        if not family.schema:
            continue
        keys = _defaulted_keys(read_schema(REPO / family.schema))
        for path in (REPO / "src/weak2strong/families" / name).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                        and isinstance(node.func.value, ast.Name) and node.func.value.id in CONFIG_NAMES
                        and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args)
                        and node.args[0].value in keys and node.args[1].value is not None):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: .get({node.args[0].value!r}, {node.args[1].value!r})")
    assert not found, found

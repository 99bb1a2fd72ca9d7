"""Every rule's code hash covers every library module its job can run, found from its own script."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from weak2strong import provenance
from weak2strong.provenance import script_code_hash, script_modules

REPO = Path(__file__).resolve().parents[1]
FAMILY_FOLDERS = sorted(p.parent for p in (REPO / "src/weak2strong/families").glob("*/rules.smk"))
SCRIPTS = sorted([*(REPO / "workflow/scripts").glob("*.py"), *(s for f in FAMILY_FOLDERS for s in (f / "scripts").glob("*.py"))])


def rule_scripts() -> dict[str, str]:
    """Rule name -> the script it runs, read from the rule files (the core's and each family's, whose
    scripts sit beside its rules and carry ``family="<name>"`` in their hash)."""
    out = {}
    rule_files = [(smk, r'"\.\./scripts/(\w+)\.py"', "") for smk in (REPO / "workflow/rules").glob("*.smk")]
    rule_files += [(f / "rules.smk", r'"scripts/(\w+)\.py"', f', family="{f.name}"') for f in FAMILY_FOLDERS]
    for smk, script, family in rule_files:
        for rule, body in re.findall(r"^\s*rule (\w+):\n(.*?)(?=^\s*rule \w+:|\Z)", smk.read_text(), flags=re.M | re.S):
            m = re.search(script, body)
            if m:
                # the figure rule adds the module that draws a family's figure (common.smk: figure_code)
                own = r"lambda wc: figure_code\(wc.figure\)" if m.group(1) == "figure" else \
                    rf'script_code\("{m.group(1)}"(, per_loss=True)?{family}\)'
                assert re.search(rf"code={own}", body), f"rule {rule} runs {m.group(1)}.py without its code hash"
                out[rule] = m.group(1)
    return out


def test_every_rule_with_a_script_carries_the_hash_of_that_script():
    scripts = rule_scripts()
    assert len(scripts) >= 30 and set(scripts.values()) == {s.stem for s in SCRIPTS} and FAMILY_FOLDERS


@pytest.mark.slow  # a fresh interpreter per script
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_hash_covers_every_module_the_scripts_imports_load(script):
    """What importing a script's imports actually loads (and the training back-ends, imported by name
    at run time) is inside the modules its hash reads."""
    imports = "\n".join(line for line in script.read_text().splitlines() if line.startswith(("from weak2strong", "import weak2strong")))
    probe = imports + "\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('weak2strong'))))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO).stdout)
    ours = {m.removeprefix("weak2strong").lstrip(".") for m in loaded} - {""}
    missing = ours - set(script_modules(script))
    assert not missing, f"{script.name} loads {sorted(missing)} outside its code hash"


def test_an_edit_reruns_exactly_the_rules_that_can_reach_the_module(tmp_path, monkeypatch):
    """Edit one module in a copy of the package: the hash of every script that reaches it changes, and
    no other's. data/pairs.py (the text a reward model reads) reaches feature extraction; plots.py
    reaches the figures alone."""
    package = tmp_path / "weak2strong"
    import shutil

    shutil.copytree(provenance.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(provenance, "PACKAGE_DIR", package)
    provenance.module_closure.cache_clear()
    before = {s.stem: script_code_hash(s) for s in SCRIPTS}
    for module, expected in (("data/pairs.py", {"extract_features", "train", "prepare_dataset"}), ("plots.py", {"figure"})):
        (package / module).write_text((package / module).read_text() + "\n# an edit\n")
        provenance.module_closure.cache_clear()
        after = {s.stem: script_code_hash(s) for s in SCRIPTS}
        changed = {name for name in before if before[name] != after[name]}
        reaches = {s.stem for s in SCRIPTS if module.removesuffix(".py").replace("/", ".") in script_modules(s)}
        assert changed == reaches and expected <= changed, (module, sorted(changed))
        before = after
    provenance.module_closure.cache_clear()


def test_a_family_figure_reruns_when_its_drawing_changes_and_no_other_does(tmp_path, monkeypatch):
    """A family's figure is drawn by a module the generic figure job imports by name: its hash
    (declaration_code_hash) follows that module; the figure script's own hash does not."""
    import shutil

    from weak2strong.families.registry import FIGURES
    from weak2strong.provenance import declaration_code_hash

    package = tmp_path / "weak2strong"
    shutil.copytree(provenance.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(provenance, "PACKAGE_DIR", package)
    provenance.module_closure.cache_clear()
    draw = FIGURES["vision"].draw
    figure_script = REPO / "workflow/scripts/figure.py"
    before = (declaration_code_hash(draw), script_code_hash(figure_script))
    drawing = package / "families/vision/plots.py"
    drawing.write_text(drawing.read_text() + "\n# an edit\n")
    provenance.module_closure.cache_clear()
    after = (declaration_code_hash(draw), script_code_hash(figure_script))
    provenance.module_closure.cache_clear()
    assert after[0] != before[0] and after[1] == before[1]


def test_no_job_reaches_the_table_of_families():
    """The families' table declares every family's plan, figures and tables: a job that reached it would
    hash every family's code and rerun after an edit to any of them (workflow_support, which every job
    imports, once did through the config check, now config_check.py)."""
    reached = {script.name for script in SCRIPTS if "families.registry" in script_modules(script)}
    assert reached == set()
    own = {script.name: {m.split(".")[1] for m in script_modules(script) if m.startswith("families.")} for script in SCRIPTS}
    assert all(len(families) <= 1 for families in own.values()), own  # a family's job reaches its own folder only

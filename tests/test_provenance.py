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
SCRIPTS = sorted((REPO / "workflow/scripts").glob("*.py"))


def rule_scripts() -> dict[str, str]:
    """Rule name -> the script it runs, read from the rule files."""
    out = {}
    for smk in (REPO / "workflow/rules").glob("*.smk"):
        for rule, body in re.findall(r"^\s*rule (\w+):\n(.*?)(?=^\s*rule \w+:|\Z)", smk.read_text(), flags=re.M | re.S):
            m = re.search(r'"\.\./scripts/(\w+)\.py"', body)
            if m:
                assert re.search(rf'code=script_code\("{m.group(1)}"', body), f"rule {rule} runs {m.group(1)}.py without its code hash"
                out[rule] = m.group(1)
    return out


def test_every_rule_with_a_script_carries_the_hash_of_that_script():
    scripts = rule_scripts()
    assert len(scripts) >= 30 and set(scripts.values()) == {s.stem for s in SCRIPTS}


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

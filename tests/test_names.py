"""No name the config gives can make the workflow write outside its folder (src/weak2strong/names.py)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from weak2strong.errors import ConfigError
from weak2strong.names import checked_name, is_name, path_of
from weak2strong.plan import build_plan

REPO = Path(__file__).resolve().parents[1]
# Values that would leave a folder (or hide in it) wherever they stand in a path.
ESCAPES = ["..", ".", "../escape", "../../../../escape", "a/../../b", "/tmp/escape", ".hidden", "a/..", "a/./b", "x/.ssh", "",
           "a//b", "a\nb"]
# And values that are not one folder name (a wildcard spanning several segments may accept these).
HOSTILE = [*ESCAPES, "a/b", "name with space", "~root", "x\\..\\y"]


def test_checked_name_accepts_the_shipped_names_and_refuses_hostile_ones():
    for config in ("config.yaml", "chess.yaml", "vision.yaml", "gft.yaml", "reward.yaml", "prompting.yaml"):
        block = yaml.safe_load((REPO / "config" / config).read_text())
        for name in [*(block.get("models") or {}), *(block.get("datasets") or {})]:
            assert is_name(name), name
    for value in HOSTILE:
        with pytest.raises(ConfigError, match="cannot be used as a name"):
            checked_name(value, "models.x.backbone")
    with pytest.raises(ConfigError, match="would leave its folder"):
        path_of("results/features", "fever", "../../escape", "layer6-len64.safetensors")
    assert path_of("results/features", "fever", "minilm-l6+gft-1234abcd", "a.safetensors").count("/") == 4


def test_the_schema_and_the_plan_check_names_with_one_pattern():
    from weak2strong.names import NAME_PATTERN

    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    assert schema["$defs"]["name"]["pattern"] == NAME_PATTERN and schema["$defs"]["name"]["maxLength"] == 200


def _config(**changes) -> dict:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for path, value in changes.items():
        node = config
        *head, last = path.split(".")
        for key in head:
            node = node[key]
        node[last] = value
    return config


@pytest.mark.parametrize("where", ["backbone", "model", "dataset", "loss", "chain", "cutoff", "figure"])
def test_plan_refuses_a_hostile_name_wherever_it_is_given(where):
    """Each kind of name is checked by the plan too (the schema holds the same pattern): the
    reported escape was a hub backbone named ``../../../../escape``."""
    bad = "../../../../escape"
    config = _config()
    if where == "backbone":
        config["models"]["evil"] = {"backbone": bad, "hub_id": "/tmp/model", "arch": "encoder", "n_layers": 2}
    elif where == "model":
        config["models"][bad] = {"backbone": "minilm-l6"}
    elif where == "dataset":
        config["datasets"][bad] = {"source": "local", "path": "x.csv", "split_sizes": {"train_a": 16, "train_b": 16, "test": 16}}
    elif where == "loss":
        config["experiment"]["losses"].append(bad)
    elif where == "chain":
        config["bootstrap"] = {"chains": {bad: ["minilm_l1", "minilm_l2", "minilm_l6"]}}
    elif where == "cutoff":
        config["easy_to_hard"] = {"cutoffs": [bad]}
    elif where == "figure":
        config.setdefault("figures", {})[bad] = {"dpi": 100}
    with pytest.raises(ConfigError, match="cannot be used as a name"):
        build_plan(config)


def _group_patterns(regex: str) -> dict[str, str]:
    """Each named group of a rule's output regex and the sub-pattern it must match."""
    out = {}
    for m in re.finditer(r"\(\?P<(\w+)>", regex):
        depth, i = 1, m.end()
        while depth:
            if regex[i] == "\\":
                i += 2
                continue
            depth += {"(": 1, ")": -1}.get(regex[i], 0)
            i += 1
        out[m.group(1)] = regex[m.end():i - 1]
    return out


@pytest.mark.slow
def test_no_wildcard_of_any_rule_matches_a_path_that_leaves_its_folder(tmp_path):
    """Every output and log pattern of every rule, with the default config and each overlay (so
    chess, vision, prompting, GFT, reward and per-seed rules exist): no wildcard accepts a value that
    climbs out of its folder or is absolute, and no plain path has a "..". A wildcard left
    unconstrained (Snakemake's default ``.+``) fails here."""
    (tmp_path / "per_seed.yaml").write_text(yaml.safe_dump({"experiment": {"seeds_in_one_job": False}}))
    overlays = [[], ["chess.yaml"], ["vision.yaml"], ["prompting.yaml"], ["gft.yaml"], ["reward.yaml"], [str(tmp_path / "per_seed.yaml")]]
    patterns, rules = set(), set()
    for overlay in overlays:
        files = [str(REPO / "config" / "config.yaml"), *(o if o.startswith("/") else str(REPO / "config" / o) for o in overlay)]
        result = subprocess.run([sys.executable, str(REPO / "tests" / "rule_patterns.py"), str(tmp_path), *files],
                                capture_output=True, text=True, check=True)
        for row in json.loads(result.stdout):
            patterns.add((row["rule"], row["pattern"], row["regex"]))
            rules.add(row["rule"])
    assert {"collect_seeds", "chess_student", "vision_train", "prompt_decoder", "gft", "bootstrap_chain"} <= rules
    checked = 0
    for rule, pattern, regex in sorted(patterns):
        assert ".." not in re.sub(r"\{[^}]*\}", "", pattern), (rule, pattern)
        for wildcard, sub in _group_patterns(regex).items():
            for value in ESCAPES:
                assert re.fullmatch(sub, value) is None, f"rule {rule}: {{{wildcard}}} of {pattern} accepts {value!r}"
            checked += 1
    assert checked > 100

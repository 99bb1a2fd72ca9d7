"""The config is checked against its schemas with one error naming the key, the value and the
reason, and an integer is an integer (JSON Schema lets 2.0 pass as one; the code then failed)."""

import copy
from pathlib import Path

import pytest
import yaml

from weak2strong.config_check import validate_config
from weak2strong.errors import ConfigError
from weak2strong.workflow_support import check_against_schema

REPO = Path(__file__).resolve().parents[1]
CORE = REPO / "workflow/schemas/config.schema.yaml"
VISION = REPO / "src/weak2strong/families/vision/schema.yaml"


def default_config() -> dict:
    return yaml.safe_load((REPO / "config/config.yaml").read_text())


def vision_block() -> dict:
    return yaml.safe_load((REPO / "config/vision.yaml").read_text())["vision"]


@pytest.mark.parametrize("edit, key, shown", [
    (lambda c: c.update(seeds=2.0), "seeds", "Write 2.0 as 2"),
    (lambda c: c.update(seeds=[0, 1.0]), r"seeds\.1", "Write 1.0 as 1"),
    (lambda c: c["datasets"]["movie_sentiment"]["split_sizes"].update(train_a=299.0),
     "datasets.movie_sentiment.split_sizes.train_a", "Write 299.0 as 299"),
    (lambda c: c.update(data_seed=True), "data_seed", "True is not of type 'integer'"),
])
def test_a_whole_number_written_as_a_float_is_refused_naming_the_key(edit, key, shown):
    config = default_config()
    edit(config)
    with pytest.raises(ConfigError, match=rf"config: {key}: .*{shown}"):
        validate_config(config, REPO, fill_defaults=False)


def test_the_shipped_configs_pass_the_strict_check():
    """The core schema on every block but a family's own, each of those on its family's schema."""
    from weak2strong.families.registry import own_schema_keys

    assert own_schema_keys() == {"bootstrap", "chess", "easy_to_hard", "simulated", "prompting", "vision"}
    validate_config(default_config(), REPO, fill_defaults=False)
    for overlay in ("chess.yaml", "reward.yaml", "gft.yaml", "prompting.yaml", "vision.yaml"):
        merged = copy.deepcopy(default_config())
        for key, value in yaml.safe_load((REPO / "config" / overlay).read_text()).items():
            merged[key] = value if not isinstance(value, dict) or key not in merged else {**merged[key], **value}
        validate_config(merged, REPO, fill_defaults=False)


@pytest.mark.parametrize("edit, message", [
    (lambda v: v["split_sizes"].update(train_a=20.0),
     r"config: vision\.split_sizes\.train_a: 20\.0 is not of type 'integer'\. Write 20\.0 as 20"),
    (lambda v: v["dataset"].update(source="ftp"), r"config: vision\.dataset\.source: 'ftp' is not one of \["),
    (lambda v: v.pop("weak"), r"config: vision: 'weak' is a required property"),
])
def test_an_error_in_a_family_block_keeps_its_key_and_reason(edit, message):
    """The vision block's errors used to lose both: the block was re-raised with `error.args[1:]` (empty)."""
    block = vision_block()
    edit(block)
    with pytest.raises(ConfigError, match=message):
        check_against_schema(block, VISION, where="vision.")


def test_an_error_in_the_chess_block_is_named_by_the_chess_schema():
    """Chess's block moved to its family's schema (families/chess/schema.yaml): its errors keep key and reason."""
    block = yaml.safe_load((REPO / "config/chess.yaml").read_text())["chess"]
    block["regime"] = "qlora"
    with pytest.raises(ConfigError, match=r"config: chess\.regime: 'qlora' is not one of \['finetune', 'lora'\]"):
        check_against_schema(block, REPO / "src/weak2strong/families/chess/schema.yaml", where="chess.")


def test_a_family_schemas_definitions_are_the_core_schemas():
    """A family's schema copies what it shares with the core's (a safe folder name, ``$defs/name``): a copy
    that drifted would let a name through one check that the other refuses."""
    from weak2strong.config_schema import CORE_SCHEMA, read_schema
    from weak2strong.families.registry import FAMILIES

    core = read_schema(CORE_SCHEMA)["$defs"]
    shared = {(name, key) for name, f in FAMILIES.items() if f.schema for key in read_schema(REPO / f.schema).get("$defs", {})}
    assert {("bootstrap", "name"), ("easy_to_hard", "name")} <= shared
    for name, key in shared:
        assert read_schema(REPO / FAMILIES[name].schema)["$defs"][key] == core[key], (name, key)


def literal_defaults(obj) -> list[str]:
    """The names a class's fields or a function's parameters default to a literal other than None in its
    source: a default written again in code (equal to the schema's today, so a check of values alone misses it)."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]
    if isinstance(tree, ast.ClassDef):
        pairs = [(node.target.id, node.value) for node in tree.body if isinstance(node, ast.AnnAssign) and node.value is not None]
    else:
        args = tree.args.args + tree.args.kwonlyargs
        pairs = list(zip([a.arg for a in args][len(args) - len(tree.args.defaults) - len(tree.args.kw_defaults):],
                         tree.args.defaults + tree.args.kw_defaults))
    return [name for name, value in pairs if isinstance(value, ast.Constant) and value.value is not None]


def test_the_training_options_defaults_live_in_the_schema_alone():
    """``TrainConfig``, ``LoraOptions`` and ``LpFtOptions`` take their defaults from the schema's ``$defs``:
    every option is in the schema, every default the dataclass has is the schema's (drift fails), none is a
    literal in its source (a copy fails, even an equal one), and an option without one in the schema is
    None there (not set)."""
    from dataclasses import MISSING, fields

    from weak2strong.config_schema import CORE_SCHEMA, option_defaults, read_schema
    from weak2strong.regimes import REGIMES, options_class
    from weak2strong.training.loop import TrainConfig

    schema = read_schema(CORE_SCHEMA)
    defs, blocks = schema["$defs"], schema["properties"]["regimes"]["properties"]
    # every regime with options of its own has its block in the schema
    own_options = {name: options_class(name) for name in REGIMES.names() if options_class(name) is not None}
    assert set(own_options) == set(blocks) == {"lora", "lp_ft"}
    checked = [(TrainConfig, "train", None)]
    checked += [(cls, blocks[name]["$ref"].removeprefix("#/$defs/"), "train") for name, cls in own_options.items()]
    regime_own = {f.name for _, cls in own_options.items() for f in fields(cls)}
    for cls, definition, without in checked:
        own = {f.name: f.default for f in fields(cls)}
        defaults = option_defaults(definition, without)
        if without is None:  # the loop's: every option of the block but the window (the regime's) and the regimes' own
            assert set(own) == set(defs[definition]["properties"]) - {"max_length"} - regime_own
        else:  # a regime's own: options of its block, each default the schema's
            assert set(own) <= set(defs[definition]["properties"]) and set(defaults) <= set(own), cls.__name__
        for name, default in own.items():
            expected = defaults.get(name, None if name != "lr" else MISSING)
            assert default == expected and type(default) is type(expected), (cls.__name__, name, default, expected)
        assert literal_defaults(cls) == [], cls.__name__


def test_a_regimes_block_is_filled_the_same_with_or_without_snakemake():
    """The plan reads a regime's options with the schema's defaults whether Snakemake validated the
    config (which fills them) or not (a test's or a script's config), so a job's params are the same."""
    from weak2strong.plan import build_plan

    raw = default_config()
    raw["regimes"]["lora"] = {"lr": 1e-4, "epochs": 1, "lora_r": 4}
    raw["experiment"]["regime"] = "lora"
    validated = validate_config(copy.deepcopy(raw), REPO)
    assert validated["regimes"]["lora"]["lora_alpha"] == 16 and validated["regimes"]["lora"]["batch_size"] == 32
    assert build_plan(raw).regime_options() == build_plan(validated).regime_options() == validated["regimes"]["lora"]


def test_the_feature_window_and_batch_default_to_the_features_blocks():
    """The features' window and batch where code is called without them (a regime's window, extraction)
    are the ``features`` block's defaults, not a 128 and a 64 written again beside them."""
    import inspect

    from weak2strong.config_schema import block_defaults
    from weak2strong.experiment import regime_from_params
    from weak2strong.models.features import extract_features

    features = block_defaults("features")
    defaults = {k: p.default for k, p in inspect.signature(extract_features).parameters.items() if k in features}
    assert defaults == features
    assert regime_from_params({"name": "finetune", "lr": 1e-5}).max_length == features["max_length"]
    assert not {"max_length", "batch_size"} & set(literal_defaults(extract_features))  # read from the schema, not copied

    from weak2strong.training.run import Regime

    assert "max_length" not in literal_defaults(Regime)


def test_each_core_block_is_one_options_class_with_the_schemas_defaults():
    """The core's ``experiment``, ``features``, ``metrics`` and ``figures`` blocks are each one dataclass
    (blocks.py): a field per option of the block, each default the schema's and none written in code; a
    plan built from a config Snakemake validated and from one nobody did holds the same options; a key no
    field takes is refused naming its block."""
    from dataclasses import MISSING, fields

    from weak2strong import blocks
    from weak2strong.config_schema import CORE_SCHEMA, block_defaults, read_schema
    from weak2strong.errors import ConfigError
    from weak2strong.plan import build_plan

    schema = read_schema(CORE_SCHEMA)["properties"]
    classes = {"experiment": blocks.ExperimentOptions, "features": blocks.FeaturesOptions,
               "metrics": blocks.MetricsOptions, "figures": blocks.FiguresOptions}
    for section, cls in classes.items():
        own = {f.name: f.default for f in fields(cls) if f.name != "own"}  # figures' own: each figure's block
        assert set(own) == set(schema[section]["properties"]), section
        assert {k: v for k, v in own.items() if v is not MISSING and v is not None} == block_defaults(section), section
        assert literal_defaults(cls) == [], section
    raw = default_config()
    for section in ("features", "metrics", "figures"):
        raw.pop(section)
    raw["figures"] = {"pgr": {"ylim": [-0.5, 1.5]}}
    validated = validate_config(copy.deepcopy(raw), REPO)
    assert validated["figures"]["dpi"] == 150  # Snakemake filled it; the plan of the raw config has it too
    a, b = build_plan(raw), build_plan(validated)
    assert (a.experiment, a.features, a.metrics, a.figures) == (b.experiment, b.features, b.metrics, b.figures)
    assert a.figures.of("pgr") == {"dpi": 150, "format": "png", "ylim": [-0.5, 1.5]}
    assert a.figures.of("misfit") == {"dpi": 150, "format": "png"}
    assert a.seeds_in_one_job and (a.weak, a.losses) == (list(raw["experiment"]["weak"]), list(raw["experiment"]["losses"]))
    with pytest.raises(ConfigError, match=r"features: unknown option\(s\) \['window'\]"):
        blocks.FeaturesOptions.from_config({"features": {"window": 64}})

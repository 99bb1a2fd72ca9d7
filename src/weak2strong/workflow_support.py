"""Small helpers for the workflow's scripts: logging to the rule's log file, and params."""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings


def setup_logging(snakemake) -> logging.Logger:
    """Send Python logging, warnings and stderr (progress bars) to the rule's log file."""
    if snakemake.log:
        handle = open(snakemake.log[0], "w", buffering=1)
        sys.stderr = handle
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", message=".*non-writable.*")
    sys.excepthook = _user_errors_without_traceback
    set_job_origin(snakemake)
    return logging.getLogger(f"rule.{snakemake.rule}")


def set_job_origin(snakemake) -> None:
    """The origin this job stamps into what it writes, and the origins it expects of its inputs (the
    rule's ``origins`` param, from common.smk ``input_origins``): io.py checks both."""
    from .io import job_origin, set_job

    params = dict(snakemake.params.items())
    set_job(job_origin(snakemake.rule, dict(snakemake.wildcards.items()), params), params.get("origins"))


def _user_errors_without_traceback(kind, error, tb):
    """An error caused by the input (a bad file, a damaged artefact, a config value) is logged as
    its message, which names what to fix; anything else keeps its traceback (a bug to report)."""
    from .errors import Weak2StrongError
    from .io import ArtifactError

    if isinstance(error, (Weak2StrongError, ArtifactError)):
        logging.getLogger("weak2strong").error("%s: %s", kind.__name__, error)  # the job still fails (exit 1)
        return
    sys.__excepthook__(kind, error, tb)


def check_no_folder_where_a_file_belongs(paths) -> None:
    """Stop if a folder stands where the workflow writes a file (``results/metrics/summary.csv/``):
    Snakemake would take the folder for the finished file and use or skip it without a word."""
    import os

    from .io import ArtifactError

    folders = [p for p in paths if os.path.isdir(p)]
    if folders:
        shown = ", ".join(f"{p}/" for p in folders[:5]) + (f" and {len(folders) - 5} more" if len(folders) > 5 else "")
        raise ArtifactError(f"{shown}: a folder where the workflow writes a file. Move or delete "
                            f"{'it' if len(folders) == 1 else 'them'} and rerun; the file is then rebuilt.")


def check_config_files(paths) -> None:
    """No key is given twice in one mapping of a YAML config file: YAML loaders keep the last one
    without a word (two ``minilm_l6:`` entries: the second was used)."""
    import yaml

    from .errors import ConfigError

    class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml where installed
        pass

    def mapping(loader, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(f"{node.start_mark.name}, line {key_node.start_mark.line + 1}: the key {key!r} is given twice in "
                                  f"one block (first on line {seen[key] + 1}); YAML would keep only the last. Merge or rename them.")
            seen[key] = key_node.start_mark.line
        return loader.construct_mapping(node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for path in paths:
        if str(path).endswith((".yaml", ".yml")):
            with open(path, encoding="utf-8") as fh:
                yaml.load(fh, Loader=StrictLoader)


def drop_removed_entries(config: dict, mappings) -> list[str]:
    """An overlay removes what the base config defines by setting it to null: a whole block
    (``easy_to_hard: null``) or one entry of a mapping of ``mappings`` (dotted paths, from
    ``config_check.removable_mappings``: ``datasets``, ``models``, and those the families name, e.g.
    ``bootstrap.chains``; ``datasets: {movie_sentiment: null}``).
    Snakemake merges config files key by key, so without this an overlay could add to the default's
    datasets but never replace them. Returns what was removed."""
    removed = [key for key, value in config.items() if value is None]
    for key in removed:
        del config[key]
    for where in mappings:
        block = config
        for part in where.split("."):
            block = block.get(part) if isinstance(block, dict) else None
        if isinstance(block, dict):
            gone = [name for name, value in block.items() if value is None]
            for name in gone:
                del block[name]
            removed += [f"{where}.{name}" for name in gone]
    return removed


def check_against_schema(block, schema_path, where: str = "") -> None:
    """``block`` of the config checked against its schema before Snakemake's own check (which fills in
    the defaults): one error naming the key, the value and the reason, instead of the schema printed
    whole. Integers are integers: JSON Schema lets ``2.0`` pass as ``integer``, and the code then
    fails on a float (``seeds: 2.0``, ``split_sizes.train_a: 299.0``)."""
    import jsonschema

    from .config_schema import read_schema
    from .errors import ConfigError

    schema = read_schema(schema_path)
    base = jsonschema.validators.validator_for(schema)
    strict = base.TYPE_CHECKER.redefine("integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    validator = jsonschema.validators.extend(base, type_checker=strict)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(block))
    if error is None:
        return
    key = (where + ".".join(str(p) for p in error.absolute_path)).rstrip(".") or "the config"
    floats = _whole_floats(error.instance) if error.validator in ("type", "oneOf", "anyOf") else []
    hint = (f" Write {', '.join(repr(f) for f in floats[:3])} as {', '.join(str(int(f)) for f in floats[:3])}: a whole number "
            "has no decimal point here." if floats else "")
    block = f"the config's `{where.rstrip('.')}` block, " if where else ""
    raise ConfigError(f"config: {key}: {error.message}.{hint} ({block}schema: {schema_path})")


def _whole_floats(value) -> list[float]:
    if isinstance(value, float) and value.is_integer():
        return [value]
    if isinstance(value, list):
        return [f for item in value for f in _whole_floats(item)]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _whole_floats(item)]
    return []


def set_threads(snakemake) -> None:
    import torch

    torch.set_num_threads(max(1, int(getattr(snakemake, "threads", 1) or 1)))


@contextlib.contextmanager
def logging_to(path: str):
    """The library's logging goes to ``path`` while the block runs."""
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()

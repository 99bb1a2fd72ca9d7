"""The config's JSON schemas, each file read once per version, and the defaults they give.

Defaults live in the schemas alone: Snakemake's validation fills them into the config it checks, and
``with_schema_defaults`` fills them the same way into a block nobody validated (a test, a script), so a
plan is the same either way. The core schema is ``workflow/schemas/config.schema.yaml``; a family's is
its folder's ``schema.yaml``.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

CORE_SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def read_schema(path) -> dict:
    """The schema at ``path`` (read again only when the file changes). Callers must not mutate it."""
    path = Path(path)
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=None)
def _read(path: Path, mtime_ns: int, size: int) -> dict:
    import yaml

    with open(path, encoding="utf-8") as fh:  # libyaml where installed: read at every Snakemake start
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def fill_defaults(value, schema: dict, root: dict | None = None):
    """``value`` (in place) with the defaults ``schema`` gives, as Snakemake's validation fills them: a
    missing key gets its default, an object present (or just defaulted) gets its properties' defaults,
    and each entry of a mapping gets those of the schema its ``additionalProperties`` names. A
    ``$ref`` to ``#/$defs/...`` is followed in ``root`` (the whole schema; ``schema`` itself if not given)."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    for key, spec in properties.items():
        spec = _resolve(spec, root)
        if key not in value and "default" in spec:
            value[key] = copy.deepcopy(spec["default"])
        if key in value:
            value[key] = fill_defaults(value[key], spec, root)
    entries = schema.get("additionalProperties")
    if isinstance(entries, dict):
        for key in value:
            if key not in properties:
                value[key] = fill_defaults(value[key], entries, root)
    return value


def _resolve(spec: dict, root: dict) -> dict:
    ref = spec.get("$ref") if isinstance(spec, dict) else None
    if not ref:
        return spec
    if not ref.startswith("#/$defs/"):
        raise ValueError(f"schema reference {ref!r}: only '#/$defs/<name>' is followed here")
    return _resolve(root["$defs"][ref.removeprefix("#/$defs/")], root)


def option_defaults(definition: str, without: str | None = None) -> dict:
    """The defaults the core schema's ``$defs/<definition>`` gives its options, less those ``$defs/<without>``
    gives too: an options dataclass's defaults (``loop.TrainConfig``: ``train``; ``options.LoraOptions``:
    ``train_lora`` without ``train``), so that they live in the schema alone."""
    defs = read_schema(CORE_SCHEMA)["$defs"]
    shared = _defaults(defs[without]) if without else {}
    return {key: value for key, value in _defaults(defs[definition]).items() if key not in shared}


def block_defaults(section: str) -> dict:
    """The defaults the core schema gives the options of its top-level block ``section`` (``metrics``,
    ``features``, ``figures``): what the core blocks' options dataclasses (``blocks.py``) read."""
    return _defaults(read_schema(CORE_SCHEMA)["properties"][section])


def _defaults(schema: dict) -> dict:
    """The defaults an object's schema gives its properties (one level)."""
    return {key: spec["default"] for key, spec in (schema.get("properties") or {}).items() if "default" in spec}


def with_schema_defaults(block: dict, schema_path) -> dict:
    """A copy of ``block`` with the defaults its schema gives (``fill_defaults``)."""
    return fill_defaults(copy.deepcopy(block), read_schema(schema_path))

"""The config checked as the workflow checks it, against the core schema and each experiment family's.

Its own module, not ``workflow_support``'s: every job imports that one (its logging), and a job's code
hash would then reach every family's plan through the families' table read here.
"""

from __future__ import annotations

from pathlib import Path

from .families.registry import FAMILIES, own_schema_keys
from .workflow_support import check_against_schema, drop_removed_entries


def removable_mappings() -> list[str]:
    """The mappings whose entries an overlay may remove with null: the core's, then each family's."""
    return ["datasets", "models", *(f"{name}.{key}" for name, family in FAMILIES.items() for key in family.removable)]


def validate_config(config: dict, repo, fill_defaults: bool = True) -> dict:
    """The config checked as the workflow checks it: an overlay's nulls removed, the core schema
    (``workflow/schemas/config.schema.yaml``) on every block but the experiment families' own, each of
    those on its family's schema (families/registry.py), each strictly (``check_against_schema``) and
    then by Snakemake's ``validate``, which fills in the defaults (``fill_defaults``). In place; returned."""
    from snakemake.utils import validate

    drop_removed_entries(config, removable_mappings())
    own = own_schema_keys()
    core = {key: value for key, value in config.items() if key not in own}
    core_schema = Path(repo) / "workflow/schemas/config.schema.yaml"
    check_against_schema(core, core_schema)
    if fill_defaults:
        validate(core, schema=str(core_schema))
    config.update(core)
    for name in sorted(own):
        if config.get(name) is not None:
            family_schema = Path(repo) / FAMILIES[name].schema
            check_against_schema(config[name], family_schema, where=f"{name}.")
            if fill_defaults:
                validate(config[name], schema=str(family_schema))
    return config

"""Names that become parts of file paths, checked in one place.

A dataset, model, backbone, loss, figure, chain, cutoff or vision backbone name is a folder or file
name under ``results/``, ``logs/`` and ``resources/``. A name with a ``/``, a leading ``.`` (so no
``.`` or ``..``) or any character outside letters, digits, ``_``, ``.``, ``-`` could write outside the
working directory, so every such name passes ``checked_name`` when the config is read (the schema
holds the same pattern) and again where a path is built from it (``path_of``).
"""

from __future__ import annotations

import re

from .errors import ConfigError

# The schema's pattern for a name, character for character (`$defs/name` in
# workflow/schemas/config.schema.yaml; tests/test_names.py holds them equal): no "..", starts with a
# letter or digit, then letters, digits, "_", "." and "-".
NAME_PATTERN = r"^(?!.*[.][.])[A-Za-z0-9][A-Za-z0-9_.-]*$"
_NAME = re.compile(NAME_PATTERN)
# A wildcard that spans several path segments (a cell such as "reviews/student/a/b/xent"): each
# segment is a name, so no segment can be "." or ".." and no path can start at "/".
NAME_REGEX = NAME_PATTERN[1:-1]  # the same, unanchored: a wildcard constraint of one path segment
SEGMENTS_REGEX = r"[A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)*"
# A relative path of names ("refs/convert/parquet", "deontology"): a hub revision or config folder
# that becomes segments of a path under a root (the hub mirror); the schema's `$defs/relative_path`.
RELATIVE_PATH_PATTERN = r"^(?!.*[.][.])[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$"
_RELATIVE_PATH = re.compile(RELATIVE_PATH_PATTERN)


def is_name(value) -> bool:
    return isinstance(value, str) and len(value) <= 200 and _NAME.fullmatch(value) is not None


def checked_name(value, where: str) -> str:
    """``value`` if it is a safe single path segment, else a ConfigError naming ``where`` (the config
    key) and the rule."""
    if not is_name(value):
        raise ConfigError(f"{where}: {value!r} cannot be used as a name: names become folder and file names, so they "
                          "use letters, digits, '_', '.' and '-' only, start with a letter or digit, hold no '..' and are "
                          "at most 200 characters. Rename it.")
    return value


def checked_relative_path(value, where: str) -> str:
    """``value`` if it is a relative path whose every segment is a name (``refs/convert/parquet``),
    else a ConfigError naming ``where``: such a value is joined under a root (``W2S_HUB_MIRROR``) and
    must not leave it (``../../private/notes``)."""
    if not (isinstance(value, str) and len(value) <= 400 and _RELATIVE_PATH.fullmatch(value)):
        raise ConfigError(f"{where}: {value!r} cannot be used here: it becomes folders under a root (the hub mirror), so it is "
                          "names joined by '/' (letters, digits, '_', '.' and '-'), with no '..', no leading '/' or '.', "
                          "such as 'refs/convert/parquet' or 'main'. Fix it.")
    return value


def path_of(*parts: str, where: str = "a path of the workflow") -> str:
    """``parts`` joined by ``/``; each part that is a name (not a fixed folder such as ``results``) is
    checked again here, so a name that slipped past the config check still cannot leave the folder."""
    for part in parts:
        for segment in str(part).split("/"):
            if segment in ("", ".", "..") or segment.startswith("."):
                raise ConfigError(f"{where}: the path segment {segment!r} of {'/'.join(map(str, parts))!r} would leave its "
                                  "folder; names use letters, digits, '_', '.' and '-' only.")
    return "/".join(parts)

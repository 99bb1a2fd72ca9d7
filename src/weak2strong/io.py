"""Writing artefacts so that an interrupted job never leaves a file that looks finished, and reading
them with an error that says what to do when one is damaged or was edited since.

Users are invited to open the Parquet files in pandas; one edited and saved would otherwise be used
by every later step without a word. So each Parquet artefact carries the sha256 of its content,
recorded when the step wrote it (``CHECKSUM_KEY`` in the file's schema metadata), and every read
checks it: an edited file stops the step that reads it, naming the file and both ways out (rebuild
it, or accept the edit with ``python -m weak2strong.accept_edit FILE``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary sibling path; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise ArtifactError(f"{path} is a folder where the workflow writes a file; move it away (or delete it) and rerun.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc):  # pyarrow sets no errno
            raise ArtifactError(f"no space left on the device while writing {path}: nothing was left half-written (the "
                                "partial file was removed); free some space and rerun snakemake.") from exc
        raise
    finally:
        if tmp.exists():
            tmp.unlink()


CHECKSUM_KEY = b"weak2strong.content_sha256"


def content_sha256(table: pa.Table) -> str:
    """The sha256 of a table's columns (names, types, values), whatever its metadata or chunking:
    the same for the table a step wrote and for the table read back from its file."""
    table = table.replace_schema_metadata(None).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def with_checksum(table: pa.Table) -> pa.Table:
    """``table`` with the checksum of its content as a reader will see it: taken on the table read
    back from an in-memory Parquet copy, since Parquet normalises types (large_string dictionaries)
    and the bytes under nulls, and the check on reading must compare like with like."""
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    as_read = pq.read_table(pa.BufferReader(buffer.getvalue()))
    return table.replace_schema_metadata({**(table.schema.metadata or {}), CHECKSUM_KEY: content_sha256(as_read).encode()})


def write_parquet(df: pd.DataFrame, path: str | Path, schema: pa.Schema | None = None) -> None:
    """Write ``df`` atomically, with an explicit schema when one is given (columns in its order)."""
    if schema is not None:
        missing = [n for n in schema.names if n not in df.columns]
        if missing:
            raise ValueError(f"{path}: columns {missing} missing for the declared schema")
        table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    else:
        table = pa.Table.from_pandas(df, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(with_checksum(table), tmp)


def write_json(obj, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(obj, indent=2, sort_keys=True, default=str))


class ArtifactError(RuntimeError):
    """A cached file of the workflow cannot be read (damaged, edited, or left by an older version)."""


def damaged(path, exc: Exception) -> ArtifactError:
    return ArtifactError(f"{path} cannot be read ({type(exc).__name__}: {exc}). It is a cached result of the workflow, "
                         "perhaps damaged by a full disk or a copy cut short: delete it and rerun snakemake, which rebuilds it "
                         "and everything made from it.")


def edited(path, why: str) -> ArtifactError:
    return ArtifactError(f"{path} {why}: it was changed after the workflow wrote it (opened and saved in pandas, say), and "
                         "steps made from it would silently use the change. To rebuild it, delete it and rerun snakemake. To "
                         f"use your edited version on purpose, run `python -m weak2strong.accept_edit {path}` and rerun: "
                         "every step made from it then reruns on it.")


def read_parquet(path: str | Path) -> pd.DataFrame:
    """A Parquet artefact of the workflow, checked against the content checksum its step recorded; a
    damaged or edited one is an ``ArtifactError`` that names it and the fix."""
    if Path(path).is_dir():
        raise ArtifactError(f"{path} is a folder, not the file the workflow wrote; delete it and rerun snakemake.")
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise damaged(path, exc) from exc
    recorded = (table.schema.metadata or {}).get(CHECKSUM_KEY)
    if recorded is None:
        raise edited(path, "has no content checksum (saving it from pandas drops it; or an older weak2strong wrote it)")
    if recorded.decode() != content_sha256(table):
        raise edited(path, "does not match the content checksum recorded when it was written")
    return table.to_pandas()


def accept_edit(path: str | Path) -> None:
    """Record the current content of an edited Parquet artefact as its content (``accept_edit`` CLI)."""
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise damaged(path, exc) from exc
    with atomic_path(path) as tmp:
        pq.write_table(with_checksum(table), tmp)

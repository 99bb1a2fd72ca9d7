"""Writing artefacts so that an interrupted job never leaves a file that looks finished, and reading
them with an error that says what to do when one is damaged anyway."""

from __future__ import annotations

import contextlib
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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


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
        pq.write_table(table, tmp)


def write_json(obj, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(obj, indent=2, sort_keys=True, default=str))


class ArtifactError(RuntimeError):
    """A cached file of the workflow cannot be read (damaged, or left by an older version)."""


def damaged(path, exc: Exception) -> ArtifactError:
    return ArtifactError(f"{path} cannot be read ({type(exc).__name__}: {exc}). It is a cached result of the workflow, "
                         "perhaps damaged by a full disk or a copy cut short: delete it and rerun snakemake, which rebuilds it "
                         "and everything made from it.")


def read_parquet(path: str | Path) -> pd.DataFrame:
    """A Parquet artefact of the workflow; a damaged one is an ``ArtifactError`` that names it and the fix."""
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise damaged(path, exc) from exc

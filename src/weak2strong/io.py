"""Writing artefacts so that an interrupted job never leaves a file that looks finished, and reading
them with an error that says what to do when one is damaged, was edited since, or is not the file
this step would make.

Users are invited to open the Parquet files in pandas; one edited and saved would otherwise be used
by every later step without a word. So each Parquet artefact carries the sha256 of its content,
recorded when the step wrote it (``CHECKSUM_KEY`` in the file's schema metadata), and every read
checks it: an edited file stops the step that reads it, naming the file and both ways out (rebuild
it, or accept the edit with ``python -m weak2strong.accept_edit FILE``).

A checksum proves a file intact, not that it is the file this step would make: a label file copied
from a run with another ``max_length``, or a features file of another layer, is intact. So every
artefact (Parquet and safetensors) also records its origin, the identity of the job that made it
(``job_origin``: rule, wildcards and a hash of its params, which hold the code hash), and a job that
reads it compares that with the origin the plan expects for that path (``set_job``, from the rule's
``origins`` param: common.smk ``input_origins`` computes it from the rule that makes the path).
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
ORIGIN_NAME = "weak2strong.origin"  # a file's origin: JSON of job_origin, in Parquet or safetensors metadata
_JOB: dict = {"origin": None, "expected": {}}  # this process's job (set by workflow_support.setup_logging)


def job_origin(rule: str, wildcards: dict, params: dict) -> dict:
    """The identity of a job, stamped into every artefact it writes: its rule, wildcards and a hash of
    its params (which hold its code hash, so a file of other code differs too). The ``origins`` param
    (what the job expects of its inputs) is left out: a job is who made the file, not what it read."""
    values = {k: v for k, v in params.items() if k != "origins"}
    digest = hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return {"rule": rule, "wildcards": {k: str(v) for k, v in sorted(wildcards.items())}, "params": digest}


def set_job(origin: dict | None, expected: dict | None = None) -> None:
    """This process's job: the origin it stamps, and the origin it expects of each input path."""
    _JOB["origin"] = origin
    _JOB["expected"] = {os.path.normpath(str(p)): o for p, o in (expected or {}).items()}


def current_job() -> dict:
    """This process's job, for a process it starts (``set_job(**current_job())`` there)."""
    return {"origin": _JOB["origin"], "expected": dict(_JOB["expected"])}


def _origin_text() -> str | None:
    return json.dumps(_JOB["origin"], sort_keys=True) if _JOB["origin"] is not None else None


def check_origin(path, recorded: str | bytes | None) -> None:
    """``path``'s recorded origin against the one this job expects for it (nothing expected: nothing to
    compare, as for a file read outside a workflow job)."""
    import logging

    expected = _JOB["expected"].get(os.path.normpath(str(path)))
    if expected is None:
        return
    rebuild = ("If it was copied or restored here from another run, delete it and rerun snakemake, which rebuilds it "
               "and what is made from it (had the config changed, snakemake reruns its step first, unless told "
               "to ignore params changes, as by `--rerun-triggers mtime`).")
    if recorded is None:
        raise ArtifactError(f"{path} holds no record of the step that made it (an older weak2strong, or a tool other than the "
                            f"workflow, wrote it), so it cannot be told from another run's file. {rebuild}")
    origin = json.loads(recorded)
    if origin.get("accepted_edit"):
        logging.getLogger(__name__).warning("%s: reading an edit accepted with accept_edit (its origin is not checked)", path)
        return
    if origin == expected:
        return
    if origin.get("rule") != expected["rule"]:
        what = f"was made by rule {origin.get('rule')}, but here rule {expected['rule']} makes it"
    elif origin.get("wildcards") != expected["wildcards"]:
        what = f"was made for {_cell(origin.get('wildcards'))}, not for {_cell(expected['wildcards'])} (another cell's file)"
    else:
        what = (f"was made by rule {expected['rule']} with other settings or code than this run's (params "
                f"{origin.get('params')} against {expected['params']}: another config's model, layer, max_length, seeds...)")
    raise ArtifactError(f"{path} is not the file this step would make: it {what}. {rebuild}")


def _cell(wildcards) -> str:
    return ", ".join(f"{k}={v}" for k, v in (wildcards or {}).items()) or "no wildcards"


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
    origin = _origin_text()
    if origin is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), ORIGIN_NAME.encode(): origin.encode()})
    with atomic_path(path) as tmp:
        pq.write_table(with_checksum(table), tmp)


def write_safetensors(tensors: dict, path: str | Path, metadata: dict | None = None) -> None:
    """Write tensors atomically, with the string ``metadata`` and this job's origin."""
    from safetensors.torch import save_file

    metadata = dict(metadata or {})
    if _origin_text() is not None:
        metadata[ORIGIN_NAME] = _origin_text()
    with atomic_path(path) as tmp:
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp), metadata=metadata)


@contextlib.contextmanager
def open_safetensors(path: str | Path):
    """A safetensors artefact opened for reading (``safe_open``), checked for damage and for origin."""
    from safetensors import safe_open

    if Path(path).is_dir():
        raise ArtifactError(f"{path} is a folder, not the file the workflow wrote; delete it and rerun snakemake.")
    try:
        handle = safe_open(str(path), framework="pt")
    except FileNotFoundError:
        raise
    except Exception as exc:  # a damaged file raises SafetensorError, OSError, ...
        raise damaged(path, exc) from exc
    with handle as fh:
        check_origin(path, (fh.metadata() or {}).get(ORIGIN_NAME))
        yield fh


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
    check_origin(path, (table.schema.metadata or {}).get(ORIGIN_NAME.encode()))
    return table.to_pandas()


def write_accepted(table: pa.Table, path: str | Path, was: str | None) -> None:
    """Record ``table`` (an edit accept_edit checked) as the content of ``path``: a new checksum, and
    an origin that says it is an accepted edit, keeping the origin it had (if the edit kept it)."""
    origin = json.dumps({"accepted_edit": True, "was": json.loads(was) if was else None}, sort_keys=True)
    table = table.replace_schema_metadata({ORIGIN_NAME.encode(): origin.encode()})
    with atomic_path(path) as tmp:
        pq.write_table(with_checksum(table), tmp)

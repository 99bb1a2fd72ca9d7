"""Accept an edited Parquet artefact: ``python -m weak2strong.accept_edit FILE [FILE ...]``.

A Parquet file of ``results/`` that was changed after its step wrote it stops every step that reads
it (io.read_parquet). Running this records the file's current content as its content; the next
``snakemake`` run then reruns what is made from it (its modification time is newer) on the edit.

Only the files a researcher edits to run an experiment on changed data are accepted, and only an edit
that keeps what every later step relies on: a dataset's pool (``results/data/<dataset>/examples.parquet``),
a seed's split (``.../splits/seed<N>.parquet``), weak labels and predictions (``results/labels/...``,
``results/predictions/...``). The edit keeps the file's columns and types, and its example ids are those
of the run's own pool and splits (a file from another run, or with a column dropped, would fail later
with a ``KeyError``, or train on the wrong examples). Anything else is refused with advice that fits it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .io import ArtifactError, damaged
from .schemas import LABELS_SCHEMA, PREDICTIONS_SCHEMA, SPLITS_SCHEMA

POOL_COLUMNS = ("id", "text", "label", "group")


class RefusedEdit(ValueError):
    """An edit accept_edit will not record: the message says why and what to do instead."""


def workflow_place(path: Path) -> tuple[Path, tuple[str, ...]]:
    """The working folder a ``results/`` path belongs to, and the path's parts below ``results/``."""
    parts = path.resolve().parts
    if "results" not in parts:
        raise RefusedEdit(f"{path} is not a file the workflow wrote (those are under a run's results/ folder). The workflow "
                          "reads your own data files as they are, so there is nothing to accept: rerun snakemake.")
    k = len(parts) - 1 - parts[::-1].index("results")
    workdir = Path(*parts[:k])
    if not (workdir / ".snakemake").is_dir():
        raise RefusedEdit(f"{path} is under {workdir / 'results'}, a folder no workflow run has used (no .snakemake/ beside "
                          "it); accept_edit accepts the artefacts of a run, in the run's own folder.")
    return workdir, parts[k + 1:]


def kind_of(below: tuple[str, ...]) -> tuple[str, pa.Schema | None, str | None]:
    """What an artefact is (by where the workflow writes it), its schema, and its dataset."""
    if below[:1] == ("data",) and len(below) == 3 and below[2] == "examples.parquet":
        return "pool", None, below[1]
    if below[:1] == ("data",) and len(below) == 4 and below[2] == "splits":
        return "split", SPLITS_SCHEMA, below[1]
    top = below[1:] if below[:1] == ("per_seed",) else below
    if top[:1] in (("labels",), ("predictions",)) and len(top) >= 4:
        return top[0], LABELS_SCHEMA if top[0] == "labels" else PREDICTIONS_SCHEMA, top[2]
    raise RefusedEdit(f"results/{'/'.join(below)} is made from other files of the run; accept_edit accepts the pool, "
                      "splits, weak labels and predictions, whose schema and ids it can check. Edit the file it is made "
                      "from instead, or delete it and rerun snakemake to rebuild it.")


def checked_table(table: pa.Table, kind: str, schema: pa.Schema | None, dataset: str, workdir: Path, where: str) -> pa.Table:
    """``table`` cast to the artefact's schema, once its columns and ids are what later steps expect."""
    from .io import read_parquet

    if schema is None:  # the pool: its own columns
        missing = [c for c in POOL_COLUMNS if c not in table.column_names]
        if missing:
            raise RefusedEdit(f"{where}: the pool lost its columns {missing}; a pool has {list(POOL_COLUMNS)} (and, for "
                              "comparison pairs, prompt, c1, c2). Put them back and run accept_edit again.")
        pool = table.to_pandas()
        if pool["id"].duplicated().any() or not pool["label"].isin([0, 1]).all():
            raise RefusedEdit(f"{where}: every id must be unique and every label 0 or 1.")
        return table
    if sorted(table.column_names) != sorted(schema.names):
        raise RefusedEdit(f"{where}: the columns are {table.column_names}, but a {kind} file has {schema.names}; an edit "
                          "changes values, not columns. Put them back and run accept_edit again.")
    try:
        table = table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise RefusedEdit(f"{where}: a value does not fit the {kind} file's types ({exc}).") from exc
    frame = table.to_pandas()
    examples = workdir / "results" / "data" / dataset
    if kind == "split":
        pool = read_parquet(examples / "examples.parquet").set_index("id")
        unknown, twice = ~frame["id"].isin(pool.index), frame["id"].duplicated()
        if unknown.any() or twice.any():
            raise RefusedEdit(f"{where}: {int(unknown.sum())} ids are not in this run's pool of '{dataset}' and "
                              f"{int(twice.sum())} appear twice (e.g. {frame['id'][unknown | twice].iloc[0]!r}); a split holds "
                              "examples of the pool, each once.")
        return table
    for seed, rows in frame.groupby("seed"):
        split_file = examples / "splits" / f"seed{seed}.parquet"
        if not split_file.exists():
            raise RefusedEdit(f"{where}: seed {seed} has no split in this run ({split_file}); the file is another run's.")
        split = read_parquet(split_file).set_index("id")
        for part, chunk in rows.groupby("split"):
            expected = set(split.index[split["split"] == part])
            if set(chunk["id"]) != expected or chunk["id"].duplicated().any():
                extra = sorted(set(chunk["id"]) - expected)[:3]
                raise RefusedEdit(f"{where}: seed {seed}, split {part}: the ids are not those of this run's split (e.g. "
                                  f"{extra or 'missing ones'}); edit the labels of the run's own examples, in place.")
            if (chunk["gt_label"].to_numpy() != split.loc[chunk["id"], "label"].to_numpy()).any():
                raise RefusedEdit(f"{where}: seed {seed}, split {part}: gt_label is the ground truth of the split and "
                                  "cannot be edited here (edit the pool's labels instead).")
    if not frame["soft_label"].between(0, 1).all():
        raise RefusedEdit(f"{where}: soft_label is a probability: every value in 0..1.")
    if (frame["hard_label"] != (frame["soft_label"] > 0.5).astype("int8")).any():
        raise RefusedEdit(f"{where}: hard_label must be 1 where soft_label > 0.5 and 0 elsewhere, as later steps read both: "
                          "set df['hard_label'] = (df['soft_label'] > 0.5).astype('int8') before saving.")
    return table


def accept(path: str | Path) -> None:
    """Check an edited artefact and record its current content as its content (its origin marked as
    an accepted edit, keeping what it was)."""
    path = Path(path)
    if not path.exists():
        raise RefusedEdit(f"{path}: no such file. Name a Parquet file of a run's results/ folder.")
    if path.is_dir():
        raise RefusedEdit(f"{path} is a folder; accept_edit takes the Parquet files you edited, one path each "
                          f"(e.g. {next(iter(sorted(path.rglob('*.parquet'))), path / 'FILE.parquet')}).")
    if path.suffix != ".parquet":
        raise RefusedEdit(f"{path} is not a Parquet file; accept_edit takes the Parquet artefacts of results/ that you "
                          "edited. Your own data files (CSV, JSONL) are read as they are: there is nothing to accept.")
    workdir, below = workflow_place(path)
    kind, schema, dataset = kind_of(below)
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise damaged(path, exc) from exc
    from .io import ORIGIN_NAME, write_accepted

    was = (table.schema.metadata or {}).get(ORIGIN_NAME.encode())
    table = checked_table(table.replace_schema_metadata(None), kind, schema, dataset, workdir, str(path))
    write_accepted(table, path, was.decode() if was else None)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in argv:
        try:
            accept(path)
        except (RefusedEdit, ArtifactError) as exc:
            print(f"not accepted: {exc}", file=sys.stderr)
            return 1
        print(f"{path}: edit accepted; rerun snakemake to rebuild what is made from it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

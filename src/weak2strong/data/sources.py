"""Where raw records come from: the Hugging Face hub, BIG-bench task files or the VADER rated sentences
(local files: local.py).

Each loader returns a list of plain dict records; a dataset's ``build`` function (registry.py)
turns a record into binary examples.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..errors import DatasetError
from ..names import checked_relative_path

log = logging.getLogger(__name__)


def load_bigbench_records(task_file: str | Path) -> list[dict]:
    """Examples of one BIG-bench ``task.json`` (``input`` and ``target_scores``), with the
    task's canonical label (the target scored 1) added as ``target``."""
    path = Path(task_file)
    if not path.exists():
        raise DatasetError(f"BIG-bench task file {path} is missing; run the workflow's fetch_bigbench_task rule.")
    task = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for ex in task["examples"]:
        scores = ex.get("target_scores") or {}
        best = [k for k, v in scores.items() if v == 1]
        records.append({**ex, "target": best[0] if len(best) == 1 else None})
    return records


def ratings_by_text(records: list[dict]) -> dict[str, float]:
    """Each rated sentence's mean rating, by its text (a text rated twice keeps its first rating)."""
    rating = {}
    for r in records:
        rating.setdefault(r["text"].strip(), r["rating"])
    return rating


def load_vader_records(path: str | Path) -> list[dict]:
    """The rated sentences of one file of Hutto and Gilbert's VADER collection: tab-separated lines
    ``id, mean rating (-4..4) of 20 people, sentence``. Ids are ``<document>_<sentence>`` where the
    sentences come from longer documents (an editorial, a review), else a running number.

    A file named as one of the collection's is checked against its sha256 pin first, whoever reads it
    (the workflow or a benchmark). Every value is checked against what it means: a rating is a finite number in -4..4 (``nan``
    would become a label), an id is not empty, a byte-order mark is not part of the first id (it
    would regroup an editorial). A line with an empty sentence is dropped and counted, by line."""
    import math

    from ..assets import VADER_FILES_SHA256, check_pinned

    path = Path(path)
    if not path.exists():
        raise DatasetError(f"VADER file {path} is missing; run the workflow's fetch_vader_file rule.")
    if path.name in VADER_FILES_SHA256:  # a file of the collection: the published one, on every read
        check_pinned(path, VADER_FILES_SHA256[path.name], "rerun snakemake, which extracts it again from the checked archive")
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a byte-order mark is not part of the first id
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc}); refetch it (delete the file and rerun).") from exc
    refetch = "the published file has no such line: delete the file and rerun snakemake, which extracts it again from the checked archive"
    records, empty = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise DatasetError(f"{path}, line {number}: {len(fields)} tab-separated fields, expected 3 (id, rating, sentence).")
        try:
            rating = float(fields[1])
        except ValueError:
            raise DatasetError(f"{path}, line {number}: rating {fields[1]!r} is not a number.") from None
        if not math.isfinite(rating) or not -4 <= rating <= 4:
            raise DatasetError(f"{path}, line {number}: rating {fields[1].strip()!r} is not a mean of ratings on the study's "
                               f"-4..4 scale; {refetch}.")
        sample_id = fields[0].strip()
        if not sample_id:
            raise DatasetError(f"{path}, line {number}: the id is empty; {refetch}.")
        sentence = fields[2].strip()
        if not sentence:
            empty.append(number)
            continue
        records.append({"id": sample_id, "rating": rating, "text": sentence})
    if empty:
        shown = ", ".join(map(str, empty[:8])) + (f" and {len(empty) - 8} more" if len(empty) > 8 else "")
        log.warning("%s: dropped %d lines with an empty sentence (lines %s)", path, len(empty), shown)
    return records


# A folder holding snapshots of hub dataset repositories, ``<mirror>/<repo id>/<revision>/`` (as
# ``hf download <id> --repo-type dataset --revision <rev> --local-dir ...`` writes them): machines
# without the hub load from there, through the same ``load_dataset`` call.
HUB_MIRROR_ENV = "W2S_HUB_MIRROR"


def hub_location(path: str, revision: str | None) -> tuple[str, str | None]:
    """Where ``load_dataset`` reads repository ``path`` at ``revision``: the hub, or the mirror's copy."""
    mirror = os.environ.get(HUB_MIRROR_ENV)
    if not mirror:
        return path, revision
    # the repository id and revision become folders under the mirror: names only, never "..", so a
    # config's `revision: ../../private/notes` cannot read outside it
    checked_relative_path(path, f"hub dataset id {path!r}")
    checked_relative_path(revision or "main", f"datasets.<name>.revision of hub dataset '{path}'")
    local = Path(mirror) / path / (revision or "main")
    if not local.is_dir():
        raise DatasetError(f"{HUB_MIRROR_ENV}={mirror} has no copy of hub dataset '{path}' at revision {revision or 'main'} "
                           f"(expected the folder {local}); download it there (hf download {path} --repo-type dataset "
                           f"--revision {revision or 'main'} --local-dir {local}) or unset {HUB_MIRROR_ENV}.")
    scripts = sorted(p.name for p in local.glob("*.py"))
    if scripts:  # on the hub, datasets refuses such a revision itself; a copy's folder name hides the script from it
        raise script_error(path, revision, f"found {scripts[0]}")
    return str(local), None


def script_error(path: str, revision: str | None, detail: str) -> DatasetError:
    import datasets

    return DatasetError(
        f"hub dataset '{path}' at revision {revision or 'main'} is served by a loading script, which datasets "
        f"{datasets.__version__} no longer runs ({detail}). Load the hub's Parquet export instead: `revision: "
        "refs/convert/parquet` for this dataset (datasets.<name> in config/config.yaml, or its registry entry), "
        "with `data_dir: <config>` when the dataset has several configs.")


def load_hub_records(path: str, name: str | None, splits: list[str], revision: str | None = None,
                     data_dir: str | None = None) -> list[dict]:
    """Records of the given splits of a hub dataset, concatenated in the order given: config ``name``
    (a README's ``configs:`` entry) or the config folder ``data_dir`` (a revision without a README,
    such as the hub's Parquet export ``refs/convert/parquet``).

    On a machine without internet this fails unless the dataset is in the local HF cache (or the
    mirror, ``W2S_HUB_MIRROR``); the error says so instead of hanging on the network. A revision that
    holds only a loading script, which ``datasets`` no longer runs, is an error naming the fix.
    """
    import datasets  # heavy import, only needed for hub sources

    if data_dir is not None:  # a folder under the dataset's copy: held inside it like the revision
        checked_relative_path(data_dir, f"datasets.<name>.data_dir of hub dataset '{path}'")
    location, at = hub_location(path, revision)
    records: list[dict] = []
    for split in splits:
        try:
            ds = datasets.load_dataset(location, name, split=split, revision=at, data_dir=data_dir)
        except RuntimeError as exc:
            if "scripts are no longer supported" not in str(exc):
                raise
            raise script_error(path, revision, str(exc)) from exc
        except Exception as exc:  # datasets raises many types for "not reachable / not cached"
            offline = os.environ.get("HF_HUB_OFFLINE") == "1"
            if location != path:  # read from the mirror: the cache and the network were never asked
                hint = (f"It was read from the mirror copy {location} ({HUB_MIRROR_ENV}), which does not hold this split "
                        "in a layout `datasets` can load (data files of the config and split, or a README naming them); "
                        f"download the dataset there again (hf download {path} --repo-type dataset --revision "
                        f"{revision or 'main'} --local-dir {location}).")
            elif offline:
                hint = ("HF_HUB_OFFLINE=1 is set and the dataset is not in the local Hugging Face cache; "
                        "run once on a connected machine, or use an offline dataset (see README).")
            else:
                hint = "check the dataset id, config name and split in the registry or config."
            raise DatasetError(f"hub dataset '{path}' ({name}, split {split}) could not be loaded: {exc}. {hint}") from exc
        records.extend(dict(r, _hf_split=split) for r in ds)
    log.info("loaded %s (%s) at revision %s: %s", path, name or data_dir, revision or "default branch",
             resolved_revision(path, revision) if location == path else f"from the mirror {location}")
    return records


def resolved_revision(path: str, revision: str | None) -> str:
    """The commit a hub dataset resolved to (for the log), when the hub can be asked."""
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return "commit not resolvable offline (from the local cache)"
    try:
        from huggingface_hub import HfApi

        return f"commit {HfApi().dataset_info(path, revision=revision).sha}"
    except Exception as exc:  # the log line is informative; the data is already loaded
        return f"commit unknown ({type(exc).__name__})"

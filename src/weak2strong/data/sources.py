"""Where raw records come from: the Hugging Face hub or BIG-bench task files (local files: local.py).

Each loader returns a list of plain dict records; a dataset's ``build`` function (registry.py)
turns a record into binary examples.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..errors import DatasetError

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


def load_hub_records(path: str, name: str | None, splits: list[str], revision: str | None = None) -> list[dict]:
    """Records of the given splits of a hub dataset, concatenated in the order given.

    On a machine without internet this fails unless the dataset is in the local HF cache; the
    error says so instead of hanging on the network.
    """
    import datasets  # heavy import, only needed for hub sources

    records: list[dict] = []
    for split in splits:
        try:
            ds = datasets.load_dataset(path, name, split=split, revision=revision)
        except Exception as exc:  # datasets raises many types for "not reachable / not cached"
            offline = os.environ.get("HF_HUB_OFFLINE") == "1"
            hint = (
                "HF_HUB_OFFLINE=1 is set and the dataset is not in the local Hugging Face cache; "
                "run once on a connected machine, or use an offline dataset (see README)."
                if offline
                else "check the dataset id, config name and split in the registry or config."
            )
            raise DatasetError(f"hub dataset '{path}' ({name}, split {split}) could not be loaded: {exc}. {hint}") from exc
        records.extend(dict(r, _hf_split=split) for r in ds)
    log.info("loaded %s (%s) at revision %s: %s", path, name, revision or "default branch", resolved_revision(path, revision))
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

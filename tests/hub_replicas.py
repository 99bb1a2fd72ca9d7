"""Local replicas of hub dataset repositories, laid out as each is published at the revision the
registry loads, filled with the rows of its hub-schema fixture (tests/fixtures/hub/<name>.json).

A replica lives where ``W2S_HUB_MIRROR`` expects it (``<mirror>/<repo id>/<revision>/``), so the
registry's own ``load_dataset`` call (repository, revision, config name or ``data_dir``) reads it
with the pinned ``datasets``, as it would read the hub. The layouts (docs/datasets.md):

- ``export``: the hub's Parquet export (``refs/convert/parquet``): ``<config>/<split>/0000.parquet``
  and no README, so configs have no names there, only folders;
- ``configs``: a Parquet main branch whose README has a ``configs:`` block, one folder per config
  (``<config>/<split>-00000-of-00001.parquet``);
- ``data``: a Parquet main branch with one config, ``data/<split>-00000-of-00001.parquet``;
- ``jsonl``: JSON lines per subset folder (``<subset>/<split>.jsonl.gz``), loaded whole;
- ``script``: a loading script and a card only, as some repositories' main branch still is.

Sibling configs (another config's folder beside the one loaded) hold rows that must never be read.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FIXTURES = Path(__file__).parent / "fixtures" / "hub"

# dataset -> (revision, layout, the config folder it is read from, sibling configs). "K": the layout
# was seen on the hub (docs/datasets.md); "m": assumed from the standard layout of its kind.
PUBLISHED = {
    "cosmos_qa": ("refs/convert/parquet", "export", "default", []),  # K: main holds only cosmos_qa.py
    "ethics_deontology": ("refs/convert/parquet", "export", "deontology", ["commonsense", "justice"]),  # K
    "ethics_justice": ("refs/convert/parquet", "export", "justice", ["commonsense", "virtue"]),  # K
    "ethics_virtue": ("refs/convert/parquet", "export", "virtue", ["commonsense", "justice"]),  # K
    "ethics_utilitarianism": ("refs/convert/parquet", "export", "utilitarianism", ["commonsense", "deontology"]),  # K
    "multirc": ("main", "configs", "multirc", ["boolq", "wic"]),  # K: aps/super_glue main is Parquet with configs:
    "wic": ("main", "configs", "wic", ["multirc", "cb"]),  # K
    "dream": ("refs/convert/parquet", "export", "plain_text", []),  # m: export of a one-config script
    "mc_taco": ("refs/convert/parquet", "export", "plain_text", []),  # K: plain_text/ on the export
    "piqa": ("refs/convert/parquet", "export", "plain_text", []),  # K: export only on refs/convert/parquet
    "hellaswag": ("refs/convert/parquet", "export", "default", []),  # m
    "social_i_qa": ("refs/pr/3", "data", "data", []),  # m: an unmerged conversion pull request
    "sciq": ("main", "data", "data", []),  # K: Parquet
    "boolq": ("main", "data", "data", []),  # K: Parquet
    "sst2": ("main", "data", "data", []),  # m
    "quartz": ("main", "data", "data", []),  # K: Parquet under data/
    "twitter_sentiment": ("main", "data", "data", []),  # K: Parquet under data/
    "quail": ("main", "configs", "quail", []),  # K: Parquet, script deleted
    "amazon_polarity": ("main", "configs", "amazon_polarity", []),  # m
    "anli_r2": ("main", "configs", "plain_text", []),  # K: config plain_text
    "cola": ("main", "configs", "cola", ["sst2", "mrpc"]),  # m: nyu-mll/glue, one folder per task
    "openbookqa": ("main", "configs", "main", ["additional"]),  # K
    "paws": ("main", "configs", "labeled_final", ["labeled_swap"]),  # K
    # every subset folder is read (no configs), so no sibling here is one that must be skipped
    "anthropic_hh": ("main", "jsonl", "harmless-base", []),  # K: .jsonl.gz per subset
    "shp": ("main", "jsonl", "askscience", []),  # m: JSON lines per subreddit
}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def split_rows(name: str, copies: int = 1) -> dict[str, list[dict]]:
    """The fixture's rows dealt to its hub splits in turn (as test_hub_fixtures.py does); with
    ``copies``, each row ``copies`` times, every text of copy k starting with "(copy k) " so that the
    copies are distinct examples in distinct groups (a pool of the size a workflow run needs)."""
    fx = fixture(name)
    splits = fx["hf_splits"]
    out: dict[str, list[dict]] = {s: [] for s in splits}
    rows = [_copy(row, k) if copies > 1 else row for k in range(copies) for row in fx["rows"]]
    for k, row in enumerate(rows):
        out[splits[k % len(splits)]].append(row)
    return out


def _copy(value, k: int):
    """``value`` with every text in it marked as copy ``k`` (labels, letters and numbers left alone:
    a text is a string of more than three characters that is not a number)."""
    if isinstance(value, dict):
        return {key: _copy(v, k) for key, v in value.items()}
    if isinstance(value, list):
        return [_copy(v, k) for v in value]
    if isinstance(value, str) and len(value.strip()) > 3 and not value.strip().lstrip("-").isdigit():
        return f"(copy {k}) {value}"
    return value


def _parquet(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # an empty struct ({}: a fixture's unused metadata field) has no Parquet type; the hub's has fields
    rows = [{k: (None if v == {} else v) for k, v in r.items()} for r in rows]
    pq.write_table(pa.Table.from_pylist(rows), path)


def _sibling_rows(rows: list[dict]) -> list[dict]:
    """Rows of another config: the same columns, marked so a test can see they were never read."""
    return [{k: (f"SIBLING {v}" if isinstance(v, str) else v) for k, v in r.items()} for r in rows]


def build_replica(mirror: Path, name: str, repo: str, copies: int = 1) -> Path:
    """The replica of dataset ``name`` (hub repository ``repo``) at its published revision; ``copies``:
    each fixture row that many times (``split_rows``)."""
    revision, layout, config, siblings = PUBLISHED[name]
    root = mirror / repo / revision
    rows = split_rows(name, copies)
    for cfg in [config, *siblings]:
        for split, part in rows.items():
            part = part if cfg == config else _sibling_rows(part)
            if layout == "export":
                _parquet(root / cfg / split / "0000.parquet", part)
            elif layout == "configs":
                _parquet(root / cfg / f"{split}-00000-of-00001.parquet", part)
            elif layout == "data":
                _parquet(root / "data" / f"{split}-00000-of-00001.parquet", part)
            elif layout == "jsonl":
                (root / cfg).mkdir(parents=True, exist_ok=True)
                with gzip.open(root / cfg / f"{split}.jsonl.gz", "wt") as fh:
                    fh.writelines(json.dumps(r) + "\n" for r in part)
    if layout == "configs":
        blocks = "".join(f"- config_name: {cfg}\n  data_files:\n"
                         + "".join(f"  - split: {s}\n    path: {cfg}/{s}-*\n" for s in rows)
                         for cfg in [config, *siblings])
        (root / "README.md").write_text(f"---\nconfigs:\n{blocks}---\n# {repo}\n")
    elif layout == "data":
        (root / "README.md").write_text(f"# {repo}\n")
    return root


def build_script_only(mirror: Path, repo: str, revision: str = "main") -> Path:
    """A repository whose revision holds only a loading script and its card."""
    root = mirror / repo / revision
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{repo.split('/')[-1]}.py").write_text("import datasets  # a loading script\n")
    (root / "README.md").write_text(f"# {repo}\n")
    return root

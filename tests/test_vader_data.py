"""The default's data: the VADER study's rated sentences, read from the vaderSentiment source archive
through the workflow's own fetch and extract path (a replica of the archive's layout, and the real one)."""

import io
import tarfile

import numpy as np
import pytest

from weak2strong import assets
from weak2strong.data.prepare import build_examples, prepare_pool_and_unlabelled
from weak2strong.data.registry import DATASETS
from weak2strong.data.sources import load_vader_records
from weak2strong.errors import DatasetError
from weak2strong.io import ArtifactError


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def replica_archive(path, files: dict[str, str]):
    """vaderSentiment-3.3.2.tar.gz as published: the rated sentences are a tar.gz inside the sdist."""
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        for name, text in files.items():
            _add(tar, f"hutto_ICWSM_2014/{name}", text.encode())
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "vaderSentiment-3.3.2/setup.py", b"")
        _add(tar, "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz", inner.getvalue())
    return path


NYT = "1_1\t0.4\tA bright start.\r\n1_2\t-1.5\tThen it all went wrong.\r\n1_3\t0\tNeutral words.\r\n2_1\t-2.25\tA sad day.\r\n"


def test_a_file_is_read_from_the_nested_archive_and_grouped_by_document(tmp_path, pin_replica):
    archive = replica_archive(tmp_path / assets.VADER_FILE, {"nytEditorialSnippets_GroundTruth.txt": NYT, "other.txt": "x"})
    pin_replica(assets, "VADER_SHA256", archive)
    (tmp_path / "nyt.txt").write_text(NYT)
    pin_replica(assets, "VADER_FILES_SHA256", tmp_path / "nyt.txt", "nytEditorialSnippets_GroundTruth.txt")
    out = tmp_path / "vader" / "nyt.txt"
    assets.extract_vader_file(archive, "nytEditorialSnippets_GroundTruth.txt", out)
    records = load_vader_records(out)
    assert [r["id"] for r in records] == ["1_1", "1_2", "1_3", "2_1"] and records[1]["rating"] == -1.5
    assert records[0]["text"] == "A bright start."  # the CRLF line ends are not part of the text
    examples = build_examples(DATASETS["nyt_editorial_sentiment"], records, seed=0)
    # the neutral sentence (mean rating exactly 0) is dropped; the sign of the rating is the label
    assert sorted(zip(examples["text"], examples["label"], examples["group"])) == [
        ("A bright start.", 1, "1"), ("A sad day.", 0, "2"), ("Then it all went wrong.", 0, "1")]
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        assets.extract_vader_file(archive, "missing.txt", tmp_path / "m.txt")
    with pytest.raises(ValueError, match="not a file name"):
        assets.extract_vader_file(archive, "../evil.txt", tmp_path / "e.txt")


def test_a_malformed_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("1\t0.5\tfine\n2\tsix\tbad rating\n")
    with pytest.raises(DatasetError, match=r"f.txt, line 2: rating 'six' is not a number"):
        load_vader_records(path)
    path.write_text("1\t0.5\n")
    with pytest.raises(DatasetError, match=r"line 1: 2 tab-separated fields, expected 3"):
        load_vader_records(path)


def test_rated_pairs_prefer_the_more_positive_sentence_and_use_each_sentence_once(tmp_path):
    lines = [f"{i}\t{(i % 8) - 3.5}\tsentence {i}" for i in range(200)]  # -3.5 .. 3.5, on the study's scale
    lines += [f"d{i}\t{3.5 - (i % 8)}\tsentence {i}" for i in range(0, 200, 7)]  # rated twice: must not land in two pairs
    path = tmp_path / "movies.txt"
    path.write_text("\n".join(lines))
    spec = DATASETS["movie_pairs"]
    rating = {f"sentence {i}": (i % 8) - 3.5 for i in range(200)}
    pairs = spec.combine(load_vader_records(path), __import__("random").Random(0))
    assert pairs and all(rating[p["chosen"]] - rating[p["rejected"]] >= 1.0 for p in pairs)
    used = [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs]
    assert len(used) == len(set(used))


def test_same_sign_pairs_never_put_a_positive_sentence_beside_a_negative_one(tmp_path):
    """Paired at random, most pairs cross polarity and the sign decides them; the same-sign set asks
    for a graded judgement in every pair, keeps the gap, and uses each sentence once."""
    ratings = [((i % 17) - 8) / 2 for i in range(400)]  # -4 .. 4 in half points, 0 included
    path = tmp_path / "movies.txt"
    path.write_text("\n".join(f"{i}\t{r}\tsentence {i}" for i, r in enumerate(ratings)))
    rating = {f"sentence {i}": r for i, r in enumerate(ratings)}
    import random

    crossing = [p for p in DATASETS["movie_pairs"].combine(load_vader_records(path), random.Random(0))
                if rating[p["chosen"]] > 0 > rating[p["rejected"]]]
    assert len(crossing) > 50  # the mixed set: many pairs the sign decides
    pairs = DATASETS["movie_pairs_same_sign"].combine(load_vader_records(path), random.Random(0))
    assert len(pairs) > 50
    assert all(rating[p["chosen"]] * rating[p["rejected"]] > 0 for p in pairs)  # one polarity, never a neutral mean
    assert all(rating[p["chosen"]] - rating[p["rejected"]] >= 1.0 for p in pairs)
    assert {rating[p["chosen"]] > 0 for p in pairs} == {True, False}  # both polarities
    assert {rating[p["chosen"]] > 0 for p in pairs[:20]} == {True, False}  # mixed: a cut at max_examples takes from both
    used = [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs]
    assert len(used) == len(set(used))


@pytest.mark.slow
def test_the_published_archive_gives_the_default_datasets(tmp_path):
    """The real file from the package index, its pinned sha256, and what the default's pools hold."""
    archive = tmp_path / assets.VADER_FILE
    assets.fetch_vader_archive(archive)
    for name, n_records in [("movie_sentiment", 10605), ("nyt_editorial_sentiment", 5190)]:
        spec = DATASETS[name]
        raw = tmp_path / spec.vader_file
        assets.extract_vader_file(archive, spec.vader_file, raw)
        assert len(load_vader_records(raw)) == n_records
        pool, _ = prepare_pool_and_unlabelled(spec, 0, 4000, raw_file=str(raw))
        assert len(pool) >= 3990 and abs(pool["label"].mean() - 0.5) < 0.01
        if name == "nyt_editorial_sentiment":
            assert 400 < pool["group"].nunique() < 500  # sentences of one editorial share a group


@pytest.mark.parametrize("rating", ["nan", "-inf", "inf", "1e308", "42", "-4.5"])
def test_a_rating_off_the_studys_scale_is_refused_naming_the_line(rating, tmp_path):
    """`nan` became label 0 (17 of 600 pool labels wrong); -inf, 1e308 and 42 passed as ratings."""
    path = tmp_path / "f.txt"
    path.write_text(f"1\t0.5\tfine\n2\t{rating}\toff the scale\n3\t-4\tthe scale's end\n")
    scale = rf"f.txt, line 2: rating '{rating}' is not a mean of ratings on the study's -4..4 scale.*delete"
    with pytest.raises(DatasetError, match=scale):
        load_vader_records(path)


def test_a_byte_order_mark_is_not_part_of_the_first_id(tmp_path):
    """With the BOM in its id, the first sentence of editorial 1 formed a group of its own."""
    path = tmp_path / "nyt.txt"
    path.write_bytes("\ufeff1_1\t0.4\tA bright start.\n1_2\t-1.5\tThen it went wrong.\n".encode())
    records = load_vader_records(path)
    assert [r["id"] for r in records] == ["1_1", "1_2"]
    examples = build_examples(DATASETS["nyt_editorial_sentiment"], records, seed=0)
    assert examples["group"].nunique() == 1


def test_every_dropped_sentence_is_counted_by_reason(tmp_path, caplog):
    path = tmp_path / "nyt.txt"
    path.write_text("1_1\t0.4\tA bright start.\n1_2\t-1.5\t  \n1_3\t0\tNeutral words.\n2_1\t-2\tA sad day.\n2_2\t1\t\n")
    with caplog.at_level("INFO"):
        records = load_vader_records(path)
        examples = build_examples(DATASETS["nyt_editorial_sentiment"], records, seed=0)
    assert len(records) == 3 and len(examples) == 2
    assert "dropped 2 lines with an empty sentence (lines 2, 5)" in caplog.text
    assert "left out 1 records by the dataset's definition (1 × mean rating exactly 0" in caplog.text


@pytest.mark.parametrize("damage", ["flipped", "cut", "empty", "another"])
def test_a_cached_archive_is_checked_against_its_pin_on_every_use(damage, tmp_path, pin_replica):
    """An archive already in resources/downloads was never compared with its sha256: one with every
    movie rating's sign flipped gave 600 pool labels of the wrong sign; a cut one a traceback."""
    movie = "1\t2.5\tA fine film.\n2\t-1.5\tA dull one.\n"
    archive = replica_archive(tmp_path / assets.VADER_FILE, {"movieReviewSnippets_GroundTruth.txt": movie})
    pin_replica(assets, "VADER_SHA256", archive)
    if damage == "flipped":
        replica_archive(archive, {"movieReviewSnippets_GroundTruth.txt": movie.replace("\t2.5", "\t-2.5").replace("\t-1.5", "\t1.5")})
    elif damage == "cut":
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "empty":
        archive.write_bytes(b"")
    else:
        replica_archive(archive, {"tweets_GroundTruth.txt": movie})
    with pytest.raises(ArtifactError, match=rf"{assets.VADER_FILE} is not the pinned file.*Delete it and rerun snakemake"):
        assets.extract_vader_file(archive, "movieReviewSnippets_GroundTruth.txt", tmp_path / "movie.txt")
    assert not (tmp_path / "movie.txt").exists()


def test_an_extracted_file_is_checked_against_its_pin_whoever_reads_it(tmp_path):
    from weak2strong.data.prepare import load_records

    path = tmp_path / "movieReviewSnippets_GroundTruth.txt"
    path.write_text("1\t2.5\tA fine film.\n")  # not the published file
    with pytest.raises(ArtifactError, match="is not the pinned file.*extracts it again from the checked archive"):
        load_records(DATASETS["movie_sentiment"], str(path))
    # every reader of the collection's files, not only the workflow's (the benchmarks read them directly)
    with pytest.raises(ArtifactError, match="is not the pinned file"):
        load_vader_records(path)


def test_min_abs_rating_leaves_out_the_sentences_near_neutral_counted_and_only_for_rated_sets(tmp_path, caplog):
    """A label that is the sign of a near-zero mean is one the raters barely agree on: the option
    drops those sentences (counted in the log), and is refused where there is no rating."""
    import logging

    from weak2strong.data.prepare import build_examples
    from weak2strong.data.registry import resolve_dataset
    from weak2strong.errors import ConfigError

    path = tmp_path / "nyt.txt"
    ratings = [0.1, -0.2, 0.3, 0.6, -0.8, 1.5, -2.0, 0.0]
    path.write_text("".join(f"{i}_1\t{r}\tsentence {i}\n" for i, r in enumerate(ratings)))
    records = load_vader_records(path)
    spec = resolve_dataset("nyt_editorial_sentiment", {"split_sizes": {}, "min_abs_rating": 0.5})
    with caplog.at_level(logging.INFO):
        kept = build_examples(spec, records, 0)
    assert sorted(kept["text"]) == ["sentence 3", "sentence 4", "sentence 5", "sentence 6"]
    assert "4 × mean |rating| below min_abs_rating 0.5" in caplog.text  # the exactly neutral one among them
    assert len(build_examples(resolve_dataset("nyt_editorial_sentiment", {"split_sizes": {}}), records, 0)) == 7
    for name in ("movie_pairs", "sst2"):
        with pytest.raises(ConfigError, match=rf"datasets.{name}.min_abs_rating: only the rated-sentence"):
            resolve_dataset(name, {"split_sizes": {}, "min_abs_rating": 0.5})


def test_rating_margins_count_near_neutral_and_not_significant_labels_among_the_labelled(tmp_path):
    """benchmarks/rating_margins.py on a hand-made per-rater file: exactly neutral sentences are
    counted apart; among the rest, |mean| < 0.25 and a sign the 20 ratings do not establish."""
    import importlib.util

    from workflow_helpers import REPO

    spec = importlib.util.spec_from_file_location("rating_margins", REPO / "benchmarks/rating_margins.py")
    margins = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(margins)
    lines = {"neutral": [1] * 10 + [-1] * 10,        # mean 0: dropped by every set's definition
             "unsure": [1] * 11 + [-1] * 9,          # mean 0.1: |mean| < 0.25, t = 0.44, not significant
             "sure": [1, 0] * 10,                    # mean 0.5: t = 4.36 > 2.09
             "unanimous": [2] * 20}                  # no spread: significant
    path = tmp_path / "x_anonDataRatings.txt"
    path.write_text("".join(f"{k}\t{np.mean(v)}\t0\t{v}\n" for k, v in lines.items()))
    table = margins.read_rater_file(path)
    assert [bool(margins.sign_not_significant(r)) for r in table["ratings"]] == [True, True, False, False]
    row = margins.margins(table)
    assert row["neutral_share"] == 0.25 and row["labelled"] == 3
    assert row["below_0.25_share"] == pytest.approx(1 / 3) and row["not_significant_share"] == pytest.approx(1 / 3)
    path.write_text("1\t0.5\t[1, 0]\n")
    with pytest.raises(SystemExit, match="line 1: 3 tab-separated fields, expected 4"):
        margins.read_rater_file(path)
    for ratings, mean, reason in (("[1, 9]", 5, "not two or more whole numbers on the study's -4..4 scale"),
                                  ("[1, 0.5]", 0.75, "not two or more whole numbers"), ("[1]", 1, "not two or more"),
                                  ("[1, nan]", 1, "are not numbers"), ("[1, 2]", 3, "stated mean 3.0 is not the ratings' mean 1.500"),
                                  ("[1, x]", 1, "are not numbers")):
        path.write_text(f"a\t1\t0\t[1, 1]\nb\t{mean}\t0\t{ratings}\n")
        with pytest.raises(SystemExit, match=rf"line 2: .*{reason}"):
            margins.read_rater_file(path)

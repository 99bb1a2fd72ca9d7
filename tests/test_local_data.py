"""A user's own file: never silently wrong (labels, empty texts), clear errors for everything else."""

import pandas as pd
import pytest

from weak2strong.data.local import load_local_records
from weak2strong.errors import DatasetError


def write_csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_labels_are_compared_after_stripping_and_missing_ones_are_dropped_with_a_count(tmp_path, caplog):
    rows = [{"text": f"review {i}", "y": ["Pos ", " neg", "Pos", "neg"][i % 4]} for i in range(20)]
    rows[5]["y"] = None  # a missing label: dropped and counted, not class 0
    path = write_csv(tmp_path / "d.csv", rows)
    with caplog.at_level("WARNING"):
        records = load_local_records(path, "text", "y", positive_label="Pos")
    assert len(records) == 19 and "dropping 1 lines with no 'y' (lines 7)" in caplog.text  # row 5 is line 7 (header = line 1)
    by_text = {r["text"]: r["label"] for r in records}
    assert by_text["review 0"] == 1 and by_text["review 1"] == 0 and by_text["review 2"] == 1  # "Pos " is Pos


def test_a_third_label_value_is_an_error_naming_file_field_values_and_lines(tmp_path):
    rows = [{"text": f"review {i}", "y": "pos" if i % 2 else "neg"} for i in range(20)]
    rows[11]["y"] = "postive"  # a typo: would have silently become class 0
    path = write_csv(tmp_path / "d.csv", rows)
    with pytest.raises(DatasetError) as err:
        load_local_records(path, "text", "y", positive_label="pos")
    message = str(err.value)
    assert str(path) in message and "'y' holds 3 distinct values" in message and "'postive' at lines 13" in message


def test_a_positive_label_that_never_occurs_is_an_error(tmp_path):
    path = write_csv(tmp_path / "d.csv", [{"text": f"t{i}", "y": "yes" if i % 2 else "no"} for i in range(10)])
    with pytest.raises(DatasetError, match="positive_label 'Yes' is not among them"):
        load_local_records(path, "text", "y", positive_label="Yes")


def test_empty_texts_are_dropped_and_na_like_words_stay_texts(tmp_path, caplog):
    path = tmp_path / "d.csv"
    path.write_text("text,y\nNA,1\nNone,0\n,1\n   ,0\nnan,1\nfine,0\n")
    with caplog.at_level("WARNING"):
        records = load_local_records(path, "text", "y")
    assert [r["text"] for r in records] == ["NA", "None", "nan", "fine"]  # words, as written
    assert "dropping 2 lines with an empty 'text' (lines 4, 5)" in caplog.text


def test_labels_without_positive_label_must_be_0_or_1(tmp_path):
    path = write_csv(tmp_path / "d.csv", [{"text": f"t{i}", "y": "pos" if i % 2 else "neg"} for i in range(6)])
    with pytest.raises(DatasetError, match=r"must be 0 or 1 without positive_label.*'neg', 'pos'.*set positive_label"):
        load_local_records(path, "text", "y")
    path = write_csv(tmp_path / "e.csv", [{"text": f"t{i}", "y": [0, 1, 2][i % 3]} for i in range(6)])
    with pytest.raises(DatasetError, match=r"lines 4, 7"):
        load_local_records(path, "text", "y")
    ok = write_csv(tmp_path / "f.csv", [{"text": f"t{i}", "y": i % 2} for i in range(6)])
    assert [r["label"] for r in load_local_records(ok, "text", "y")] == [0, 1, 0, 1, 0, 1]


def test_a_missing_column_names_the_columns_there_are(tmp_path):
    path = write_csv(tmp_path / "d.csv", [{"sentence": "a", "label": 1}])
    with pytest.raises(DatasetError, match=r"no column 'text' \(the dataset's text_field\); its columns are \['sentence', 'label'\]"):
        load_local_records(path, "text", "label")


def test_non_utf8_bytes_broken_json_and_damaged_parquet_are_clear_errors(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,y\ncaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="is not UTF-8 text.*save it as UTF-8"):
        load_local_records(latin, "text", "y")
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text('{"text": "a", "y": 1}\n{"text": "b", "y": 0\n')
    with pytest.raises(DatasetError, match=r"line 2: not valid JSON"):
        load_local_records(jsonl, "text", "y")
    good = tmp_path / "d.parquet"
    pd.DataFrame({"text": ["a", "b"] * 50, "y": [0, 1] * 50}).to_parquet(good)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(DatasetError, match="not a readable Parquet file.*re-export it"):
        load_local_records(broken, "text", "y")
    assert len(load_local_records(good, "text", "y")) == 100


def test_jsonl_groups_and_missing_groups(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "y": 1, "g": "q1"}\n\n{"text": "b", "y": 0, "g": null}\n')
    assert load_local_records(path, "text", "y", group_field="g") == [
        {"text": "a", "label": 1, "group": "q1"}, {"text": "b", "label": 0, "group": None}]


def test_a_file_with_only_the_positive_class_is_a_clear_error(tmp_path):
    """Found by the bad-input campaign: one label value equal to positive_label crashed the message."""
    path = write_csv(tmp_path / "d.csv", [{"text": f"t{i}", "y": "pos"} for i in range(10)])
    with pytest.raises(DatasetError, match="holds 1 distinct values.*every row is the positive class"):
        load_local_records(path, "text", "y", positive_label="pos")


@pytest.mark.parametrize("value, kind", [(["a", "list"], "list"), (12, "int"), (True, "bool"), ({"k": "v"}, "dict")])
def test_a_text_that_is_not_a_string_is_refused_not_turned_into_its_repr(tmp_path, value, kind):
    """Before, ["a","list"] became the text "['a', 'list']" and numbers and booleans became text."""
    import json

    path = tmp_path / "d.jsonl"
    rows = [{"sentence": f"t{i}", "y": i % 2} for i in range(6)]
    rows[3]["sentence"] = value
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DatasetError, match=rf"'sentence' \(the dataset's text_field\) must hold text, but 1 lines hold {kind} "
                                           r"values .*at line 4"):
        load_local_records(path, "sentence", "y")


def test_a_pair_field_that_is_not_a_string_is_refused(tmp_path):
    import json

    from weak2strong.data.local import load_local_pairs

    path = tmp_path / "p.jsonl"
    rows = [{"prompt": "p", "chosen": "good", "rejected": "bad"}, {"prompt": "q", "chosen": 3.5, "rejected": "bad"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DatasetError, match=r"'chosen' \(the dataset's chosen_field\) must hold text.*float.*line 2"):
        load_local_pairs(path, "prompt", "chosen", "rejected")


def test_groups_are_texts_or_whole_numbers(tmp_path):
    path = tmp_path / "g.parquet"
    pd.DataFrame({"text": ["a", "b", "c"], "y": [0, 1, 0], "g": [7.0, None, 7.0]}).to_parquet(path)
    assert [r["group"] for r in load_local_records(path, "text", "y", group_field="g")] == ["7", None, "7"]
    pd.DataFrame({"text": ["a", "b"], "y": [0, 1], "g": [0.5, 1.0]}).to_parquet(path)
    with pytest.raises(DatasetError, match="group_field.*0.5"):
        load_local_records(path, "text", "y", group_field="g")


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_a_byte_order_mark_is_not_part_of_the_first_column_or_line(suffix, tmp_path):
    """Found by looking for the VADER reader's BOM elsewhere: a CSV saved by Excel as 'UTF-8 with BOM'
    had no column 'text' (its first column was '\\ufefftext'), and a JSONL file's line 1 was not JSON."""
    rows = [{"text": f"review {i}", "y": i % 2} for i in range(20)]
    path = tmp_path / f"d.{suffix}"
    body = pd.DataFrame(rows).to_csv(index=False) if suffix == "csv" else pd.DataFrame(rows).to_json(orient="records", lines=True)
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    records = load_local_records(path, "text", "y")
    assert len(records) == 20 and records[0]["text"] == "review 0"

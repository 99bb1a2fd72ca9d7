"""A user's own labelled file (Parquet, CSV or JSONL), read and checked before anything trains on it.

Nothing is coerced silently: texts are read as written (an empty cell is an empty text, never the
string "nan", "NA" or "None"), and labels must be exactly two classes. Rows without a text or a
label are dropped and counted in the log with their line numbers; anything else that is wrong
stops with an error naming the file, the field, the lines and the fix.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from ..errors import DatasetError

log = logging.getLogger(__name__)

FIX = "fix it in config/config.yaml (datasets.<name>)"


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """The rows of a local file as strings (Parquet keeps its types), and what a row number is
    called in messages ("line" for CSV and JSONL, counting the header; "row" for Parquet)."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"local dataset file {path} does not exist; fix 'path' for this dataset in config/config.yaml.")
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return _read_parquet(path), "row"
        if name.endswith(".csv"):
            # keep_default_na=False: an empty cell is "", and "NA", "None", "nan" are texts, not missing
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")  # -sig: no BOM in a column name
            df.index = df.index + 2  # file line of each row (line 1 is the header)
            return df, "line"
        if name.endswith((".jsonl", ".jsonl.gz", ".json")):
            return _read_jsonl(path), "line"
    except UnicodeDecodeError as exc:
        raise DatasetError(f"local dataset file {path} is not UTF-8 text (byte {exc.start}: {exc.reason}); "
                           "save it as UTF-8 and rerun.") from exc
    except pd.errors.ParserError as exc:
        raise DatasetError(f"local dataset file {path} is not valid CSV: {exc}. Check quoting and the number of columns.") from exc
    raise DatasetError(f"local dataset file {path}: unsupported format; use .parquet, .csv or .jsonl.")


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        df = pq.read_table(path).to_pandas()
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DatasetError(f"local dataset file {path} is not a readable Parquet file ({exc}); re-export it.") from exc
    df.index = df.index + 1
    return df


def _read_jsonl(path: Path) -> pd.DataFrame:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    rows, lines = [], []
    with opener(path, "rt", encoding="utf-8-sig") as fh:  # -sig: a byte-order mark is not part of line 1
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"local dataset file {path}, line {number}: not valid JSON ({exc.msg}); "
                                   "each line must be one JSON object.") from exc
            if not isinstance(record, dict):
                raise DatasetError(f"local dataset file {path}, line {number}: a JSON {type(record).__name__}, not an object.")
            rows.append(record)
            lines.append(number)
    return pd.DataFrame(rows, index=lines)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def _not_text(value) -> bool:
    """A value that is neither missing nor a string: a number, a boolean, a list or an object, which
    ``str`` would turn into its Python repr (``"['a', 'list']"``, ``"True"``) and train on."""
    return not _missing(value) and not isinstance(value, str)


def check_texts(df: pd.DataFrame, fields, where: str, unit: str) -> None:
    """Every value of the text fields is a string (or missing): anything else stops, naming the
    field, the first lines and what they hold."""
    for role, field in fields:
        if field is None:
            continue
        bad = df[field].map(_not_text)
        if bad.any():
            kinds = sorted({type(v).__name__ for v in df[field][bad]})
            first = df[field][bad].iloc[0]
            raise DatasetError(f"{where}: '{field}' (the dataset's {role}) must hold text, but {int(bad.sum())} {unit}s hold "
                               f"{'/'.join(kinds)} values (e.g. {first!r} at {unit} {df.index[bad][0]}; {unit}s "
                               f"{_lines(df.index[bad])}). Write them as strings in the file, or point {role} at a text "
                               f"column; {FIX}.")


def _lines(index, limit: int = 8) -> str:
    shown = ", ".join(str(i) for i in list(index)[:limit])
    return shown + (f" and {len(index) - limit} more" if len(index) > limit else "")


def load_local_records(path: str | Path, text_field: str, label_field: str, group_field: str | None = None,
                       positive_label=None) -> list[dict]:
    """Checked records ``{text, label (0/1), group}`` of a local file.

    ``positive_label``: the label value that is class 1 (compared after stripping spaces); the field
    must then hold exactly two distinct values. Without it, labels must be the numbers 0 and 1.
    """
    df, unit = read_table(path)
    where = f"local dataset file {path}"
    for role, field in (("text_field", text_field), ("label_field", label_field), ("group_field", group_field)):
        if field is not None and field not in df.columns:
            raise DatasetError(f"{where} has no column '{field}' (the dataset's {role}); its columns are "
                               f"{list(df.columns)}. Set {role} to one of them; {FIX}.")
    check_texts(df, [("text_field", text_field)], where, unit)
    texts = df[text_field].map(lambda v: "" if _missing(v) else v)
    labels = df[label_field]
    no_text = texts.str.strip() == ""
    no_label = labels.map(_missing)
    for mask, what in ((no_text, f"an empty '{text_field}'"), (no_label & ~no_text, f"no '{label_field}'")):
        if mask.any():
            log.warning("%s: dropping %d %ss with %s (%s %s)", path, int(mask.sum()), unit, what, unit + "s", _lines(df.index[mask]))
    keep = ~(no_text | no_label)
    if not keep.any():
        raise DatasetError(f"{where}: no row has both a text in '{text_field}' and a label in '{label_field}'; check the field names.")
    df, texts, labels = df[keep], texts[keep], labels[keep]
    if positive_label is not None:
        values = labels.map(lambda v: str(v).strip())
        positive = str(positive_label).strip()
        counts = values.value_counts()
        if len(counts) != 2 or positive not in counts.index:
            detail = ", ".join(f"{v!r} ({n} {unit}s)" for v, n in counts.items())
            if positive not in counts.index:
                fix = f"positive_label {positive_label!r} is not among them: set it to the positive class exactly as written"
            elif len(counts) == 1:
                fix = "every row is the positive class: a weak-to-strong experiment needs both classes"
            else:
                odd = values[values != positive]
                rare = counts.drop(positive).sort_values().index[0]
                fix = (f"a binary dataset needs exactly two; fix or remove the odd ones (e.g. {rare!r} at {unit}s "
                       f"{_lines(odd[odd == rare].index)})")
            raise DatasetError(f"{where}: '{label_field}' holds {len(counts)} distinct values: {detail}; {fix}; {FIX}.")
        y = (values == positive).astype(int)
    else:
        numeric = pd.to_numeric(labels.map(lambda v: str(v).strip() if isinstance(v, str) else v), errors="coerce")
        bad = numeric.isna() | ~numeric.isin([0, 1])
        if bad.any():
            examples = ", ".join(repr(v) for v in labels[bad].drop_duplicates().tolist()[:5])
            raise DatasetError(f"{where}: '{label_field}' must be 0 or 1 without positive_label, but {int(bad.sum())} {unit}s hold "
                               f"{examples} ({unit}s {_lines(df.index[bad])}); set positive_label to the class that is 1, "
                               f"or fix those {unit}s; {FIX}.")
        y = numeric.astype(int)
    groups = [None if _missing(v) else _group(v, where, group_field) for v in df[group_field]] if group_field else [None] * len(df)
    return [{"text": t, "label": int(lbl), "group": g} for t, lbl, g in zip(texts, y, groups)]


def _group(value, where: str, field: str) -> str:
    """A group id: text or a whole number (a game or document id; 12.0 from a column with gaps is 12);
    a fraction, boolean, list or object is refused."""
    import numbers

    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    raise DatasetError(f"{where}: '{field}' (the dataset's group_field) holds {value!r} ({type(value).__name__}); a group is a "
                       f"text or a whole number. {FIX}.")


def load_local_pairs(path: str | Path, prompt_field: str, chosen_field: str, rejected_field: str,
                     group_field: str | None = None) -> list[dict]:
    """Checked comparison records ``{prompt, chosen, rejected, group}`` of a local file (reward modelling).

    A row with an empty completion, or two identical completions, is dropped and counted with its line
    numbers; the prompt may be empty (a completion is then scored alone). Groups default to the prompt,
    so pairs on one prompt are never on two sides of a split."""
    df, unit = read_table(path)
    where = f"local dataset file {path}"
    for role, field in (("prompt_field", prompt_field), ("chosen_field", chosen_field), ("rejected_field", rejected_field),
                        ("group_field", group_field)):
        if field is not None and field not in df.columns:
            raise DatasetError(f"{where} has no column '{field}' (the dataset's {role}); its columns are "
                               f"{list(df.columns)}. Set {role} to one of them; {FIX}.")

    check_texts(df, [("prompt_field", prompt_field), ("chosen_field", chosen_field), ("rejected_field", rejected_field)],
                where, unit)

    def text(field):
        return df[field].map(lambda v: "" if _missing(v) else v.strip())

    prompts, chosen, rejected = text(prompt_field), text(chosen_field), text(rejected_field)
    empty = (chosen == "") | (rejected == "")
    same = ~empty & (chosen == rejected)
    for mask, what in ((empty, "an empty completion"), (same, "two identical completions")):
        if mask.any():
            log.warning("%s: dropping %d %ss with %s (%ss %s)", path, int(mask.sum()), unit, what, unit, _lines(df.index[mask]))
    keep = ~(empty | same)
    if not keep.any():
        raise DatasetError(f"{where}: no row has two different, non-empty completions in '{chosen_field}' and "
                           f"'{rejected_field}'; check the field names; {FIX}.")
    groups = df[group_field].map(lambda v: "" if _missing(v) else _group(v, where, group_field).strip()) if group_field else prompts
    return [{"prompt": p, "chosen": c, "rejected": r, "group": g or None}
            for p, c, r, g in zip(prompts[keep], chosen[keep], rejected[keep], groups[keep])]

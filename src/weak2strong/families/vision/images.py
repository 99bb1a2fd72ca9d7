"""Image datasets for the vision experiment: every source becomes one pool of RGB images of one size
(uint8 [n, height, width, 3]), integer labels, class names and ids.

Sources:
- ``bigbench_cifar10``: the CIFAR-10 test set (10,000 32×32 images, 1,000 per class) inside the
  BIG-bench archive the workflow downloads (task ``cifar10_classification/base64``: each example's
  ``input`` is a base64 PNG, its ``target_scores`` the one-hot class);
- ``imagefolder``: ``path/<class name>/<image file>`` (classes in sorted order; images in sub-folders
  of a class folder belong to that class, as in torchvision's ``ImageFolder``);
- ``parquet``: a file with an image column (PNG/JPEG bytes, or a ``{"bytes": ...}`` struct as the hub
  writes them) and a label column;
- ``hub``: a hub dataset by id (``cifar10``, ``imagenet-1k`` for users who have it) through
  ``datasets.load_dataset``, its image and label columns named in the config;
- ``sklearn_digits``: the 1,797 handwritten digits (8×8, 17 grey levels; the test set of the UCI
  optical-digits data, Alpaydin and Kaynak 1998) that scikit-learn ships in its source archive,
  downloaded pinned by sha256 and read as data (scikit-learn is never installed): the offline source.

An example's id is the first 16 hex digits of sha1 of its decoded pixels, so duplicate images (the
same picture twice) share an id and are kept once; a picture under two different labels is dropped
(every copy) and counted, as text datasets drop conflicting duplicates.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import logging
from pathlib import Path

import numpy as np

from ...errors import DatasetError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
# Larger images are refused before decoding (Pillow's own guard against decompression bombs stops at
# 179 megapixels with a raw traceback); ImageNet's largest are under 20 megapixels.
MAX_MEGAPIXELS = 100


def decode_image(data: bytes, where: str, size: int | None = None) -> np.ndarray:
    """PNG/JPEG bytes → uint8 [height, width, 3] (RGB; resized to ``size``×``size`` when given).
    Undecodable bytes raise a ``DatasetError`` naming ``where``."""
    from PIL import Image, UnidentifiedImageError

    guard, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # opening reads the header only; our own limit follows
    try:
        opened = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise DatasetError(f"{where}: not a readable image ({err}); remove the example or replace the file.") from err
    finally:
        Image.MAX_IMAGE_PIXELS = guard
    try:
        with opened as image:
            megapixels = image.size[0] * image.size[1] / 1e6
            if megapixels > MAX_MEGAPIXELS:
                raise DatasetError(f"{where}: an image of {image.size[0]}x{image.size[1]} pixels ({megapixels:.0f} megapixels), "
                                   f"more than the {MAX_MEGAPIXELS} this reader decodes (every image is resized to a few "
                                   "hundred pixels a side); shrink it or remove it.")
            image = image.convert("RGB")
            if size is not None and image.size != (size, size):
                image = image.resize((size, size), Image.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise DatasetError(f"{where}: not a readable image ({err}); remove the example or replace the file.") from err


def image_id(pixels: np.ndarray) -> str:
    return hashlib.sha1(pixels.tobytes()).hexdigest()[:16]


def read_bigbench_cifar10(task_json: Path) -> tuple[list[np.ndarray], list[int], list[str]]:
    """The BIG-bench CIFAR-10 task: base64 PNG inputs, classes from ``target_scores``."""
    task = json.loads(Path(task_json).read_text())
    examples = task.get("examples") or []
    if not examples:
        raise DatasetError(f"{task_json}: no 'examples'; delete the file so the workflow extracts it again.")
    classes = list(parse_scores(examples[0]["target_scores"], f"{task_json}: example 0"))
    images, labels = [], []
    for k, example in enumerate(examples):
        where = f"{task_json}: example {k}"
        try:
            data = base64.b64decode(example["input"], validate=True)
        except (KeyError, ValueError) as err:
            raise DatasetError(f"{where}: 'input' is not base64 ({err}).") from err
        scores = parse_scores(example["target_scores"], where)
        winners = [c for c, v in scores.items() if v == 1]
        if len(winners) != 1 or winners[0] not in classes:
            raise DatasetError(f"{where}: target_scores must name exactly one of {classes} with 1, got {scores}.")
        images.append(decode_image(data, where))
        labels.append(classes.index(winners[0]))
    return images, labels, classes


def parse_scores(scores, where: str) -> dict:
    """``target_scores`` as a dict (BIG-bench stores this task's as the text of a Python dict)."""
    if isinstance(scores, dict):
        return scores
    try:
        parsed = ast.literal_eval(scores)
    except (ValueError, SyntaxError) as err:
        raise DatasetError(f"{where}: target_scores is not a dict ({err}).") from err
    if not isinstance(parsed, dict):
        raise DatasetError(f"{where}: target_scores is not a dict.")
    return parsed


def read_image_folder(root: Path, size: int | None) -> tuple[list[np.ndarray], list[int], list[str]]:
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"vision.dataset.path: {root} is not a folder of <class>/<image> files.")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    empty = [f for f in folders if not any(p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES for p in (root / f).rglob("*"))]
    if empty:  # it would be a class that no example has: a k-th output never trained, in every metric's k
        log.warning("%s: left out %d class folders without images (%s); the classes are the %d folders with images", root,
                    len(empty), ", ".join(empty[:5]), len(folders) - len(empty))
    classes = [f for f in folders if f not in empty]
    if len(classes) < 2:
        raise DatasetError(f"{root}: needs one sub-folder of images per class (at least two), found {classes}.")
    images, labels, skipped, nested = [], [], [], 0
    for label, name in enumerate(classes):
        for path in sorted(p for p in (root / name).rglob("*") if p.is_file()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                images.append(decode_image(path.read_bytes(), str(path), size))
                labels.append(label)
                nested += path.parent != root / name
            else:
                skipped.append(path)
    if nested:
        log.info("%s: %d images in sub-folders of class folders, each read as its class folder's class", root, nested)
    if skipped:
        suffixes = sorted({p.suffix.lower() or "(none)" for p in skipped})
        log.warning("%s: skipped %d files that are not images (%s; e.g. %s); images end in %s", root, len(skipped),
                    ", ".join(suffixes), skipped[0], ", ".join(IMAGE_SUFFIXES))
    return images, labels, classes


def image_bytes(value, where: str) -> bytes:
    """An image cell as bytes: raw bytes, or the hub's ``{"bytes": ..., "path": ...}`` struct."""
    if isinstance(value, dict):
        value = value.get("bytes")
    if not isinstance(value, (bytes, bytearray)) or not value:
        raise DatasetError(f"{where}: no image bytes (got {type(value).__name__}).")
    return bytes(value)


def read_image_table(rows, image_field: str, label_field: str, where: str, size: int | None,
                     class_names: list[str] | None = None) -> tuple[list[np.ndarray], list[int], list[str]]:
    """Images and labels from records (a Parquet file's or a hub split's); labels are integers or
    class names (then numbered in sorted order)."""
    images, raw = [], []
    for k, row in enumerate(rows):
        for field in (image_field, label_field):
            if field not in row:
                raise DatasetError(f"{where}: row {k} has no field '{field}' (fields: {sorted(row)}); set vision.dataset."
                                f"{'image_field' if field == image_field else 'label_field'}.")
        value = row[image_field]
        if hasattr(value, "save"):  # a PIL image (the hub's Image feature, decoded)
            buffer = io.BytesIO()
            value.save(buffer, format="PNG")
            value = buffer.getvalue()
        images.append(decode_image(image_bytes(value, f"{where}: row {k}"), f"{where}: row {k}", size))
        label = row[label_field]
        if isinstance(label, bool) or not isinstance(label, (int, np.integer, str)):
            raise DatasetError(f"{where}: row {k}: label {label!r} ({type(label).__name__}) is neither a class number nor a class "
                               "name; write the label column as integers or strings (vision.dataset.label_field).")
        raw.append(label)
    return images, *class_indices(raw, where, class_names)


def class_indices(raw: list, where: str, class_names: list[str] | None = None) -> tuple[list[int], list[str]]:
    """Labels as class indices 0..k-1 over the classes present, and the classes' names. A label column's
    values are not indices: {1, 2} would add an empty class 0, {-1, 1} would fold -1 into one class. So
    the distinct values, sorted, are numbered 0..k-1 (numbers by value, names by text), and the log says
    so when that renumbers them. ``class_names``: the names of integer labels (a hub ClassLabel)."""
    if class_names is not None and all(isinstance(v, (int, np.integer)) for v in raw):
        outside = sorted({int(v) for v in raw if not 0 <= int(v) < len(class_names)})
        if outside:
            raise DatasetError(f"{where}: labels {outside[:5]} are not indices of the dataset's {len(class_names)} class names.")
        raw = [class_names[int(v)] for v in raw]
        present = [n for n in class_names if n in set(raw)]  # the dataset's own order of names
    elif all(isinstance(v, (int, np.integer)) for v in raw):
        present = [str(v) for v in sorted({int(v) for v in raw})]
        raw = [str(int(v)) for v in raw]
    else:
        present = sorted({str(v) for v in raw})
        raw = [str(v) for v in raw]
    if len(present) < 2:
        raise DatasetError(f"{where}: the labels hold {len(present)} class ({present}); a classifier needs two or more.")
    index = {name: k for k, name in enumerate(present)}
    if any(name != str(k) for k, name in enumerate(present)):
        shown = ", ".join(f"{name} -> {k}" for name, k in list(index.items())[:12])
        log.info("%s: %d classes, numbered in sorted order: %s%s", where, len(present), shown, " ..." if len(index) > 12 else "")
    return [index[v] for v in raw], present


# The offline image source: scikit-learn's source archive (BSD-3-Clause) on the package index.
SKLEARN_VERSION = "1.7.2"
SKLEARN_FILE = f"scikit_learn-{SKLEARN_VERSION}.tar.gz"
SKLEARN_SHA256 = "20e9e49ecd130598f1ca38a1d85090e1a600147b9c02fa6f15d69cb53d968fda"
DIGITS_MEMBER = "sklearn/datasets/data/digits.csv.gz"


def fetch_sklearn_archive(dest: Path) -> None:
    from ...assets import fetch_index_file

    fetch_index_file("scikit-learn", SKLEARN_FILE, SKLEARN_SHA256, dest)


def read_sklearn_digits(archive: Path, size: int | None = None) -> tuple[list[np.ndarray], list[int], list[str]]:
    """The digits of scikit-learn's source archive, read from it by streaming: each CSV row is 64
    grey levels (0–16, row by row) and the digit. Grey levels become 0–255 in three equal channels;
    ``size`` resizes (bilinear)."""
    import gzip
    import tarfile

    from ...assets import check_pinned

    check_pinned(archive, SKLEARN_SHA256)
    with tarfile.open(archive, "r:gz") as tar:
        member = next((m for m in tar if m.isfile() and m.name.endswith("/" + DIGITS_MEMBER)), None)
        if member is None:
            raise DatasetError(f"{archive}: no {DIGITS_MEMBER} inside; is it {SKLEARN_FILE}?")
        rows = gzip.decompress(tar.extractfile(member).read()).decode().split()
    images, labels = [], []
    for k, row in enumerate(rows):
        values = row.split(",")
        if len(values) != 65:
            raise DatasetError(f"{archive}: {DIGITS_MEMBER} line {k + 1} has {len(values)} fields, not 64 pixels and a label.")
        grey = (np.asarray(values[:64], dtype=np.float32).reshape(8, 8) * (255 / 16)).round().astype(np.uint8)
        image = np.repeat(grey[:, :, None], 3, axis=2)
        if size is not None and size != 8:
            from PIL import Image

            image = np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR), dtype=np.uint8)
        images.append(image)
        labels.append(int(values[64]))
    return images, labels, [str(d) for d in range(10)]


def read_images(options: dict, source_file: str | None) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """The pool of ``vision.dataset``: (images uint8 [n, h, w, 3], labels, class names, ids), duplicates
    (same pixels) kept once. ``source_file``: the task JSON, folder or Parquet file it reads. Options it is
    not given take the vision schema's defaults (a block the workflow validated has them already)."""
    from ...config_schema import fill_defaults, read_schema

    options = fill_defaults(dict(options), read_schema(Path(__file__).with_name("schema.yaml"))["properties"]["dataset"])
    source, size = options["source"], options.get("image_size")
    if source == "bigbench_cifar10":
        images, labels, classes = read_bigbench_cifar10(Path(source_file))
    elif source == "sklearn_digits":
        images, labels, classes = read_sklearn_digits(Path(source_file), size)
    elif source == "imagefolder":
        images, labels, classes = read_image_folder(Path(source_file), size)
    elif source == "parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(source_file).to_pylist()
        images, labels, classes = read_image_table(rows, options["image_field"], options["label_field"],
                                                   str(source_file), size)
    elif source == "hub":
        import datasets

        split = datasets.load_dataset(options["id"], split=options["split"], revision=options.get("revision"))
        names = getattr(split.features.get(options["label_field"]), "names", None)
        images, labels, classes = read_image_table(split, options["image_field"], options["label_field"],
                                                   f"hub dataset {options['id']}", size, names)
    else:
        raise DatasetError(f"vision.dataset.source: unknown source '{source}' (sklearn_digits, bigbench_cifar10, imagefolder, "
                           "parquet, hub).")
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise DatasetError(f"{source_file}: images of several sizes {sorted(shapes)[:4]}; set vision.dataset.image_size to resize them.")
    pixels = np.stack(images)
    ids = [image_id(im) for im in pixels]
    keep = keep_once(ids, labels, classes, str(source_file or options.get("id")))
    return pixels[keep], np.asarray(labels)[keep], classes, [ids[k] for k in keep]


def keep_once(ids: list[str], labels: list[int], classes: list[str], where: str) -> np.ndarray:
    """Rows to keep: the first of each picture; none of a picture that appears under two labels
    (which label would be right is unknown), with both counted in the log."""
    labels_of: dict[str, set[int]] = {}
    for i, label in zip(ids, labels):
        labels_of.setdefault(i, set()).add(int(label))
    conflicting = {i for i, found in labels_of.items() if len(found) > 1}
    first = dict(zip(reversed(ids), reversed(range(len(ids)))))  # the first row of each id
    keep = np.array(sorted(k for i, k in first.items() if i not in conflicting), dtype=int)
    if conflicting:
        example = sorted(conflicting)[0]
        log.warning("%s: dropped %d pictures that appear under two or more labels (%d rows; e.g. image %s as %s)", where,
                    len(conflicting), sum(i in conflicting for i in ids), example,
                    " and ".join(classes[c] for c in sorted(labels_of[example])))
    duplicates = len(ids) - len(keep) - sum(i in conflicting for i in ids)
    if duplicates:
        log.warning("%s: %d duplicate images (identical pixels, same label) kept once", where, duplicates)
    if len(keep) == 0:
        raise DatasetError(f"{where}: no image is left after dropping pictures with conflicting labels.")
    return keep

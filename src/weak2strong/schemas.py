"""Parquet schemas of the artefacts users read with pandas (one row per example)."""

import pyarrow as pa

# results/labels/{dataset}/{weak}/seed{seed}.parquet — the weak supervisor's labels.
LABELS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("split", pa.string()),  # train_b (the student's training labels) or test
        ("gt_label", pa.int8()),  # ground truth
        ("soft_label", pa.float32()),  # weak model's probability of class 1
        ("hard_label", pa.int8()),  # 1[soft_label > 0.5]
        ("weak_model", pa.string()),
        ("dataset", pa.string()),
        ("seed", pa.int32()),
    ]
)

# results/predictions/{dataset}/... — a ceiling's or a student's predictions.
PREDICTIONS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("split", pa.string()),  # train_b or test
        ("gt_label", pa.int8()),
        ("soft_label", pa.float32()),  # the model's probability of class 1
        ("hard_label", pa.int8()),
        ("model", pa.string()),  # the strong model
        ("role", pa.string()),  # "ceiling" or "student"
        ("weak_model", pa.string()),  # the supervisor (empty for a ceiling)
        ("loss", pa.string()),  # the student's method (empty for a ceiling)
        ("dataset", pa.string()),
        ("seed", pa.int32()),
    ]
)

# results/data/{dataset}/splits/seed{seed}.parquet
SPLITS_SCHEMA = pa.schema(
    [("id", pa.string()), ("split", pa.string()), ("text", pa.string()), ("label", pa.int8()), ("group", pa.string())]
)

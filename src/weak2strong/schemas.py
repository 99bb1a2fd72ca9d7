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

# results/vision/labels/<weak>.parquet and predictions/... — k-way labels and predictions of the vision experiment.
VISION_TABLE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("split", pa.string()),  # train_b or test
        ("gt_label", pa.int16()),  # the class
        ("soft_label", pa.list_(pa.float32())),  # the model's distribution over the classes
        ("hard_label", pa.int16()),  # its most likely class
        ("model", pa.string()),  # who predicted: the weak backbone, the ceiling's or the student's
        ("role", pa.string()),  # weak, ceiling or student
        ("weak_model", pa.string()),  # a student's supervisor (empty otherwise)
        ("loss", pa.string()),  # a student's method (empty otherwise)
        ("n_views", pa.int16()),  # augmented views per train_b image the student also trained on (0: none)
        ("seed", pa.int32()),
    ]
)

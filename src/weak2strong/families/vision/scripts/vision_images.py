"""The vision experiment's image pool: pixels (safetensors, uint8) and one row per image (Parquet)."""
import json

import torch

from weak2strong.families.vision.images import read_images
from weak2strong.families.vision.steps import pool_table
from weak2strong.io import write_parquet, write_safetensors
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
p = snakemake.params
images, labels, classes, ids = read_images(p.dataset, snakemake.input[0] if len(snakemake.input) else None)
pool = pool_table(ids, labels, classes, p.unlabelled, p.split_sizes, p.data_seed, "vision.dataset")
log.info("%d images of %dx%d, %d classes; %d held out unlabelled", len(ids), images.shape[1], images.shape[2], len(classes), p.unlabelled)
write_safetensors({"images": torch.as_tensor(images)}, snakemake.output.images, {"ids": json.dumps(ids), "classes": json.dumps(classes)})
write_parquet(pool, snakemake.output.pool)

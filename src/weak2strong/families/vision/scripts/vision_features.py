"""One vision backbone's features of the pool images (a k-means backbone first learns from the
unlabelled ones; its whitening and centroids are kept for the augmented views)."""
import json
import time

import torch

from weak2strong.families.vision.backbones import VisionBackbone, extract
from weak2strong.io import open_safetensors, read_parquet, write_safetensors
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
backbone = VisionBackbone(**snakemake.params.backbone)
with open_safetensors(snakemake.input.images) as fh:
    images, ids = fh.get_tensor("images").numpy(), json.loads(fh.metadata()["ids"])
pool = read_parquet(snakemake.input.pool)
role = dict(zip(pool["id"], pool["role"]))
keep = [k for k, i in enumerate(ids) if role[i] == "pool"]
unlabelled = images[[k for k, i in enumerate(ids) if role[i] == "unlabelled"]]
start = time.perf_counter()
features, fitted = extract(backbone, images[keep], unlabelled, snakemake.params.data_seed)
log.info("%s: %d images -> %d features in %.1f s", backbone.name, len(keep), features.shape[1], time.perf_counter() - start)
metadata = {"ids": json.dumps([ids[k] for k in keep]), "backbone": backbone.name}
write_safetensors({"features": features}, snakemake.output.features, metadata)
state = {"mean": fitted.mean, "whiten": fitted.whiten, "centroids": fitted.centroids} if fitted else {"none": torch.zeros(1)}
write_safetensors(state, snakemake.output.state)

"""One vision backbone's features of the pool images (a k-means backbone first learns from the
unlabelled ones; its whitening and centroids are kept for the augmented views)."""
import json
import time

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from weak2strong.families.vision.backbones import VisionBackbone, extract
from weak2strong.io import atomic_path, read_parquet
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
backbone = VisionBackbone(**snakemake.params.backbone)
with safe_open(snakemake.input.images, framework="pt") as fh:
    images, ids = fh.get_tensor("images").numpy(), json.loads(fh.metadata()["ids"])
pool = read_parquet(snakemake.input.pool)
role = dict(zip(pool["id"], pool["role"]))
keep = [k for k, i in enumerate(ids) if role[i] == "pool"]
unlabelled = images[[k for k, i in enumerate(ids) if role[i] == "unlabelled"]]
start = time.perf_counter()
features, fitted = extract(backbone, images[keep], unlabelled, snakemake.params.data_seed)
log.info("%s: %d images -> %d features in %.1f s", backbone.name, len(keep), features.shape[1], time.perf_counter() - start)
metadata = {"ids": json.dumps([ids[k] for k in keep]), "backbone": backbone.name}
with atomic_path(snakemake.output.features) as tmp:
    save_file({"features": features.contiguous()}, str(tmp), metadata=metadata)
state = {"mean": fitted.mean, "whiten": fitted.whiten, "centroids": fitted.centroids} if fitted else {"none": torch.zeros(1)}
with atomic_path(snakemake.output.state) as tmp:
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp))

"""Features of augmented views (random crop and flip) of the pool images, view after view."""
import json

import torch

from weak2strong.families.vision.backbones import KMeansPatches, VisionBackbone, extract, views
from weak2strong.io import open_safetensors, read_parquet, write_safetensors
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
backbone = VisionBackbone(**snakemake.params.backbone)
n_views = int(snakemake.wildcards.n_views)
with open_safetensors(snakemake.input.images) as fh:
    images, ids = fh.get_tensor("images").numpy(), json.loads(fh.metadata()["ids"])
role = dict(zip(*read_parquet(snakemake.input.pool)[["id", "role"]].T.to_numpy()))
keep = [k for k, i in enumerate(ids) if role[i] == "pool"]
with open_safetensors(snakemake.input.state) as fh:
    state = {k: fh.get_tensor(k) for k in fh.keys()}
fitted = KMeansPatches(state["mean"], state["whiten"], state["centroids"], backbone.patch) if "centroids" in state else None
blocks = []
augment = dict(snakemake.params.augment)
for v, view in enumerate(views(images[keep], n_views, snakemake.params.data_seed, augment["pad"], augment["flip"])):
    blocks.append(extract(backbone, view, None, snakemake.params.data_seed, fitted)[0])
    log.info("view %d of %d done", v + 1, n_views)
write_safetensors({"features": torch.cat(blocks)}, snakemake.output[0],
                  {"ids": json.dumps([ids[k] for k in keep] * n_views), "n_views": str(n_views)})

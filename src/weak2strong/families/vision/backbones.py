"""Vision backbones: images (uint8 [n, h, w, 3]) → frozen features [n, d] for linear probes.

- ``pixels``: the image itself, downsampled to ``size``×``size`` and flattened (a weak model that
  knows nothing but colours at places);
- ``kmeans_patches``: Coates & Ng (2011), "An analysis of single-layer networks in unsupervised
  feature learning": ``centroids`` k-means centroids of normalised, ZCA-whitened ``patch``×``patch``
  patches, learned **without labels** from images no split uses; features are the triangle
  activations max(0, mean distance − distance to each centroid), summed over the image's four
  quadrants (4 × centroids coordinates). Latent knowledge from unlabelled images, as pretraining
  gives a network, with no pretrained weights to download;
- ``hub``: a transformers image model by id (``facebook/dino-vitb8``: the paper's DINO ViT-B/8), its
  pooled output or first token;
- ``torchvision``: a torchvision model by name (``alexnet``, ``resnet50``) with ``weights`` (a
  torchvision weights name such as ``DEFAULT``) or a local ``checkpoint`` (e.g. DINO's ResNet-50,
  read with ``torch.load(weights_only=True)`` or as safetensors), its classifier removed: a probe on
  its penultimate features. ``head: own`` keeps the classifier instead: the "features" are its
  logits for the dataset's classes (``head_classes``: the checkpoint's class index of each dataset
  class, in the dataset's order), and as a weak model it supervises with its own predictions, as the
  reference's AlexNet does on ImageNet, with no probe trained. AlexNet is built here when torchvision
  does not import (same module names, so torchvision's checkpoints load into it).

``views(images, n_views, seed)`` gives augmented copies (random crop after 4-pixel reflection
padding, random horizontal flip) for the student's data augmentation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ...errors import ModelNotFoundError
from .plan import VisionBackbone

log = logging.getLogger(__name__)

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def as_float(images: np.ndarray) -> torch.Tensor:
    """uint8 [n, h, w, 3] → float [n, 3, h, w] in [0, 1]."""
    return torch.as_tensor(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0


def views(images: np.ndarray, n_views: int, seed: int, pad: int = 4, flip: bool = True) -> np.ndarray:
    """``n_views`` augmented copies of every image ([n_views, n, h, w, 3]): reflection-pad ``pad``
    pixels, crop back to size at a random offset, flip horizontally with probability 1/2 (``flip``;
    not for images a mirror changes the class of, such as digits). View ``v`` of the image at position
    ``i`` is drawn from (seed, v) and i alone: the same with more images after it."""
    n, h, w, _ = images.shape
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    out = np.empty((n_views, *images.shape), dtype=np.uint8)
    for v in range(n_views):
        u = np.random.default_rng([seed, v]).random((n, 3))  # row i: image i's offsets and flip
        dy, dx = (u[:, 0] * (2 * pad + 1)).astype(int), (u[:, 1] * (2 * pad + 1)).astype(int)
        flip = (u[:, 2] < 0.5) & flip
        for i in range(n):
            crop = padded[i, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
            out[v, i] = crop[:, ::-1] if flip[i] else crop
    return out


# ---- pixels ---------------------------------------------------------------------------------------

def pixel_features(images: np.ndarray, size: int) -> torch.Tensor:
    x = as_float(images)
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="area")
    return x.flatten(1)


# ---- k-means patch features (Coates & Ng 2011) -----------------------------------------------------

def patch_matrix(x: torch.Tensor, patch: int) -> torch.Tensor:
    """Every patch of images [n, 3, h, w] as rows [n · positions, 3 · patch²], each normalised to
    zero mean and (almost) unit variance (the 10 keeps flat patches from blowing up; 0–255 scale)."""
    cols = F.unfold(x * 255.0, kernel_size=patch)  # [n, 3·p², positions]
    rows = cols.transpose(1, 2).reshape(-1, cols.shape[1])
    rows = rows - rows.mean(1, keepdim=True)
    return rows / torch.sqrt(rows.var(1, keepdim=True) + 10.0)


@dataclass
class KMeansPatches:
    """Whitening and centroids learned from unlabelled images; ``transform`` gives the features."""

    mean: torch.Tensor
    whiten: torch.Tensor
    centroids: torch.Tensor
    patch: int

    @classmethod
    def fit(cls, images: np.ndarray, backbone: VisionBackbone, seed: int) -> KMeansPatches:
        g = torch.Generator().manual_seed(seed)
        x = as_float(images)
        n, _, h, w = x.shape
        positions = (h - backbone.patch + 1) * (w - backbone.patch + 1)
        which = torch.randint(0, n * positions, (backbone.n_patches,), generator=g)
        rows = torch.cat([patch_matrix(x[i:i + 256], backbone.patch) for i in range(0, n, 256)])[which].double()
        mean = rows.mean(0)
        eigval, eigvec = torch.linalg.eigh(torch.cov((rows - mean).T))
        whiten = eigvec @ torch.diag(1.0 / torch.sqrt(eigval.clamp(min=0) + 0.1)) @ eigvec.T  # ZCA
        white = ((rows - mean) @ whiten).float()
        centroids = white[torch.randperm(len(white), generator=g)[:backbone.centroids]].clone()
        for it in range(backbone.iterations):
            assign = torch.cdist(white, centroids).argmin(1)
            sums = torch.zeros_like(centroids).index_add_(0, assign, white)
            counts = torch.bincount(assign, minlength=len(centroids)).float()
            empty = counts == 0  # a centroid that lost every patch restarts at a random patch
            centroids = torch.where(empty[:, None], white[torch.randint(0, len(white), (len(centroids),), generator=g)],
                                    sums / counts.clamp(min=1)[:, None])
        log.info("k-means: %d centroids of %d whitened %dx%d patches, %d iterations (%d empty at the last)",
                 len(centroids), len(white), backbone.patch, backbone.patch, backbone.iterations, int(empty.sum()))
        return cls(mean.float(), whiten.float(), centroids, backbone.patch)

    def transform(self, images: np.ndarray, batch_size: int = 64) -> torch.Tensor:
        out = []
        for start in range(0, len(images), batch_size):
            x = as_float(images[start:start + batch_size])
            n, _, h, w = x.shape
            side_h, side_w = h - self.patch + 1, w - self.patch + 1
            white = (patch_matrix(x, self.patch) - self.mean) @ self.whiten
            z = torch.cdist(white, self.centroids)  # [n · positions, K]
            act = (z.mean(1, keepdim=True) - z).clamp(min=0).reshape(n, side_h, side_w, -1)
            mh, mw = side_h // 2, side_w // 2
            quadrants = [act[:, :mh, :mw], act[:, :mh, mw:], act[:, mh:, :mw], act[:, mh:, mw:]]
            out.append(torch.cat([q.sum((1, 2)) for q in quadrants], dim=1))
        return torch.cat(out)


# ---- pretrained networks ---------------------------------------------------------------------------

def pretrained_features(backbone: VisionBackbone, images: np.ndarray, device: str = "cpu") -> torch.Tensor:
    """Features of a hub or torchvision network: images resized to ``input_size``, ImageNet-normalised."""
    model = load_pretrained(backbone).to(device).eval()
    mean, std = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    out = []
    with torch.no_grad():
        for start in range(0, len(images), backbone.batch_size):
            x = F.interpolate(as_float(images[start:start + backbone.batch_size]), size=(backbone.input_size,) * 2,
                              mode="bilinear", align_corners=False)
            x = ((x - mean) / std).to(device)
            if backbone.kind == "hub":
                features = hub_image_features(model, model(pixel_values=x))
            else:
                features = model(x)
            out.append(features.flatten(1).float().cpu())
    return torch.cat(out)


def hub_image_features(model: torch.nn.Module, result) -> torch.Tensor:
    """A transformers image model's representation of each image. DINO's ViTs are published without a
    pooling layer, so ``AutoModel`` adds a freshly initialised ``pooler.dense`` (random, and different
    on every load); their representation is the CLS token after the final norm. So a pooler with
    weights is never read: the CLS token (``last_hidden_state[:, 0]``) is. A pooler without weights
    (a ResNet's or ConvNeXt's average pool; DINOv2 and CLIP return their normed CLS) is the model's
    own pooled output."""
    pooler = getattr(model, "pooler", None)
    learned = isinstance(pooler, torch.nn.Module) and any(True for _ in pooler.parameters())
    pooled = getattr(result, "pooler_output", None)
    if pooled is not None and not learned:
        return pooled
    return result.last_hidden_state[:, 0]


def load_pretrained(backbone: VisionBackbone) -> torch.nn.Module:
    if backbone.kind == "hub":
        from transformers import AutoModel

        from ...models.backbone import check_loaded_weights

        try:
            model, info = AutoModel.from_pretrained(backbone.id, revision=backbone.revision, use_safetensors=None,
                                                    output_loading_info=True)
        except OSError as err:
            raise ModelNotFoundError(f"vision backbone '{backbone.name}': cannot load '{backbone.id}' ({err}); check the id, or "
                                     "download it on a connected machine (HF_HUB_OFFLINE=1 here).") from err
        check_loaded_weights(f"vision backbone {backbone.name}", backbone.id, info)  # DINO's missing pooler is allowed
        return model
    state = read_state_dict(backbone.checkpoint) if backbone.checkpoint else None  # a bad file is named before anything loads
    try:
        import torchvision
    except ImportError as err:
        if not (backbone.id == "alexnet" and state is not None):
            raise ModelNotFoundError(f"vision backbone '{backbone.name}' needs torchvision (pip install torchvision matching your "
                                     "torch build), or use kind: hub with a transformers image model.") from err
        model = AlexNet(num_classes=state["classifier.6.weight"].shape[0] if "classifier.6.weight" in state else 1000)
    else:
        model = torchvision.models.get_model(backbone.id, weights=backbone.weights)
    if state is not None:
        own = backbone.head == "own"  # its own classifier must come from the checkpoint too
        check_loaded_keys(model.load_state_dict(state, strict=False), f"vision backbone '{backbone.name}': {backbone.checkpoint}",
                          head_optional=not own)
    if backbone.head == "own":
        return OwnHead(model, backbone.head_classes)
    for attribute in ("fc", "heads"):  # ResNets, ViTs: the penultimate features
        if hasattr(model, attribute):
            setattr(model, attribute, torch.nn.Identity())
            return model
    if hasattr(model, "classifier"):  # AlexNet, VGG: drop the last linear layer
        model.classifier[-1] = torch.nn.Identity()
    return model


# The classifier a feature backbone drops: its weights may be absent from a checkpoint (DINO's ResNet-50 has none).
HEAD_PREFIXES = ("fc.", "heads.", "classifier.")


class AlexNet(torch.nn.Module):
    """AlexNet as torchvision builds it (Krizhevsky et al. 2012, the "one weird trick" variant), with
    its module names, so a torchvision checkpoint's keys load as they are where torchvision itself does
    not import (its wheel needs the torch build it was made for)."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        nn = torch.nn
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class OwnHead(torch.nn.Module):
    """A classifier network's own logits for the dataset's classes (``classes``: their indices among
    the network's): the weak supervisor of ``head: own``."""

    def __init__(self, model: torch.nn.Module, classes):
        super().__init__()
        self.model = model
        self.register_buffer("classes", torch.as_tensor(list(classes), dtype=torch.long), persistent=False)

    def forward(self, x):
        logits = self.model(x)
        if int(self.classes.max()) >= logits.shape[1]:
            raise ModelNotFoundError(f"head_classes names class {int(self.classes.max())}, but the network has {logits.shape[1]}")
        return logits[:, self.classes]


def check_loaded_keys(result, where: str, head_optional: bool = True) -> None:
    """Every weight of the model (but its classifier, where ``head_optional``) came from the
    checkpoint, and every tensor of the checkpoint went somewhere: with ``strict=False`` alone, a
    ``module.`` or ``backbone.`` prefix on the keys loads nothing and leaves random features without a word."""
    missing = [k for k in result.missing_keys if not (head_optional and k.startswith(HEAD_PREFIXES))]
    unexpected = list(result.unexpected_keys)
    if missing or unexpected:
        raise ModelNotFoundError(
            f"{where}: {len(missing)} weights of the model are not in the checkpoint (e.g. {missing[:3]}) and {len(unexpected)} "
            f"of its tensors match no weight (e.g. {unexpected[:3]}). Keys saved with a prefix such as 'module.' (DDP) or "
            "'backbone.' are the usual cause: strip it from every key, or use a checkpoint of this architecture.")


def read_state_dict(path: str) -> dict:
    """A checkpoint's tensors, never its pickled code: safetensors, or torch.load(weights_only=True)."""
    if str(path).endswith(".safetensors"):
        from safetensors.torch import load_file

        return load_file(path)
    import pickle

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ModelNotFoundError(
            f"checkpoint {path} holds pickled objects besides tensors; only tensors are read (torch.load with "
            "weights_only=True: a pickle can run code). For a file you trust, save its tensors as safetensors once: "
            f"`python -c \"import torch; from safetensors.torch import save_file; s = torch.load('{path}', weights_only=False); "
            f"s = s.get('state_dict', s); save_file({{k: v.contiguous() for k, v in s.items()}}, '{path}.safetensors')\"` "
            "and point `checkpoint` at the .safetensors file.") from err
    return state.get("state_dict", state) if isinstance(state, dict) else state


def extract(backbone: VisionBackbone, images: np.ndarray, unlabelled: np.ndarray | None, seed: int,
            fitted: KMeansPatches | None = None) -> tuple[torch.Tensor, KMeansPatches | None]:
    """Features of ``images``; a k-means backbone is fitted on ``unlabelled`` first (or reuses ``fitted``)."""
    if backbone.kind == "pixels":
        return pixel_features(images, backbone.size), None
    if backbone.kind == "kmeans_patches":
        fitted = fitted or KMeansPatches.fit(unlabelled, backbone, seed)
        return fitted.transform(images), fitted
    return pretrained_features(backbone, images, "cuda" if torch.cuda.is_available() else "cpu"), None

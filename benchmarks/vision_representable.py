"""Can the vision students represent their supervisor? For a finished vision run: how well a linear
map (ridge regression on standardised features) from each strong backbone's features predicts the
weak backbone's features on held-out images (R² of all the weak features together). Near 1, every
function of the weak features a linear probe computes is one the strong probe can compute too, so a
student can learn its supervisor exactly, errors included.

    python benchmarks/vision_representable.py --results <run>/results [--weak pixels] [--ridge 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from weak2strong.models.features import load_features  # noqa: E402


def held_out_r2(x: np.ndarray, y: np.ndarray, ridge: float, seed: int = 0, train_frac: float = 0.6) -> float:
    """R² on held-out rows of a ridge regression of ``y`` on standardised ``x`` (with an intercept)."""
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(train_frac * len(x))
    train, test = order[:cut], order[cut:]
    xs = (x - x[train].mean(0)) / (x[train].std(0) + 1e-6)
    a = np.c_[xs, np.ones(len(xs))]
    centre = y[train].mean(0)
    w = np.linalg.solve(a[train].T @ a[train] + ridge * np.eye(a.shape[1]), a[train].T @ (y[train] - centre))
    residual = ((a[test] @ w + centre - y[test]) ** 2).sum()
    return float(1 - residual / ((y[test] - centre) ** 2).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default="results")
    ap.add_argument("--weak", default="pixels")
    ap.add_argument("--ridge", type=float, default=10.0)
    args = ap.parse_args()
    folder = Path(args.results) / "vision/features"
    weak, ids = load_features(folder / f"{args.weak}.safetensors")
    for path in sorted(folder.glob("*.safetensors")):
        if path.stem == args.weak or "-views" in path.stem:
            continue
        strong, strong_ids = load_features(path)
        if list(strong_ids) != list(ids):
            raise SystemExit(f"{path} lists other images than {args.weak}'s features")
        r2 = held_out_r2(strong.float().numpy(), weak.float().numpy(), args.ridge)
        print(f"{args.weak} from {path.stem} ({strong.shape[1]} features, {len(ids)} images): held-out R² {r2:.3f}")


if __name__ == "__main__":
    main()

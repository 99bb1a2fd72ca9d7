"""Small helpers for the workflow's scripts: logging to the rule's log file, and params."""

from __future__ import annotations

import logging
import sys
import warnings


def setup_logging(snakemake) -> logging.Logger:
    """Send Python logging, warnings and stderr (progress bars) to the rule's log file."""
    if snakemake.log:
        handle = open(snakemake.log[0], "w", buffering=1)
        sys.stderr = handle
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", message=".*non-writable.*")
    return logging.getLogger(f"rule.{snakemake.rule}")


def set_threads(snakemake) -> None:
    import torch

    torch.set_num_threads(max(1, int(getattr(snakemake, "threads", 1) or 1)))

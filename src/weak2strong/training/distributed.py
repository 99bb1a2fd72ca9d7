"""Several processes (one per GPU) training one model: data parallelism through accelerate.

A job that asks for ``gpus: N > 1`` is started by ``launch_command`` (``torch.distributed.run``,
which works the same on one node with GPUs or, for tests, CPUs with gloo). Every process runs the
same code; ``current()`` (accelerate) tells it its rank and device. Each process takes its share of
every batch (``shard``), DistributedDataParallel (``data_parallel``) averages gradients, and
predictions are split across processes and gathered (``gather_p1``), so every process sees the
same numbers and only the main process writes files.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Processes:
    rank: int = 0
    world: int = 1
    accelerator: object | None = None  # accelerate.Accelerator when world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def shard(self, idx: np.ndarray) -> np.ndarray:
        """This process's share of a batch (every world-th example, so shares differ by at most one)."""
        return idx[self.rank::self.world]


def launched() -> bool:
    """True inside a process started by ``torch.distributed.run`` with more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


@functools.lru_cache(maxsize=1)
def current() -> Processes:
    """This process's place among the job's processes (a single process unless launched)."""
    if not launched():
        return Processes()
    import torch
    from accelerate import Accelerator

    world = int(os.environ["WORLD_SIZE"])
    if not torch.cuda.is_available():
        os.environ.setdefault("ACCELERATE_USE_CPU", "true")  # gloo on CPUs: how the tests run it
    elif torch.cuda.device_count() < int(os.environ.get("LOCAL_WORLD_SIZE", world)):
        raise RuntimeError(
            f"this job runs {world} processes but sees {torch.cuda.device_count()} GPU(s); lower `gpus` in the "
            "model's hardware (config/config.yaml) or give the job more GPUs."
        )
    accelerator = Accelerator()  # joins the process group, picks this process's device
    atexit.register(leave_process_group)
    return Processes(accelerator.process_index, accelerator.num_processes, accelerator)


def leave_process_group() -> None:
    """At exit, wait for every process and close the process group. A process that simply exits while
    its peers still use the group leaves its communication threads running, and the C++ runtime
    aborts it ("terminate called without an active exception", SIGABRT): under load the job then
    failed after doing all its work."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def data_parallel(model):
    """``model`` wrapped for this training run: DistributedDataParallel when there are several
    processes (it averages gradients), the model itself otherwise.

    A fresh wrapper per run, dropped when the run ends: LP-FT trains the same model twice with
    different trainable parameters, and a wrapper only knows the ones trainable when it was made."""
    procs = current()
    if not procs.distributed:
        return model
    from torch.nn.parallel import DistributedDataParallel

    device = procs.accelerator.device
    # Unused parameters exist (a BERT pooler, layers after the one the head reads), so DDP must
    # not wait for their gradients.
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None,
                                   find_unused_parameters=True)


def gather_p1(positions: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Every process's predictions for its ``positions``, put together in order 0..n-1."""
    import torch.distributed as dist

    procs = current()
    if not procs.distributed:
        out = np.zeros(n, dtype=np.float32)
        out[positions] = values
        return out
    parts: list = [None] * procs.world
    dist.all_gather_object(parts, (positions, values))
    out = np.full(n, np.nan, dtype=np.float32)
    for pos, val in parts:
        out[pos] = val
    if np.isnan(out).any():
        raise RuntimeError("gathering predictions across processes left gaps; a process predicted the wrong shard")
    return out


def all_sum(value: float) -> float:
    """The sum of a number over processes (the number itself in a single process)."""
    procs = current()
    if not procs.distributed:
        return value
    import torch

    t = torch.tensor([value], dtype=torch.float64, device=procs.accelerator.device)
    torch.distributed.all_reduce(t)
    return float(t.item())


def launch_command(n_processes: int, module: str, *args: str) -> list[str]:
    """The command that runs ``python -m module args`` in ``n_processes`` processes on this node.

    ``--standalone`` picks a free rendezvous port, so several such jobs can share a node."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n_processes}",
            "-m", module, *args]

"""Numeric precision on devices: bf16 autocast where the hardware runs it natively."""

from __future__ import annotations

import contextlib
import functools
import logging

import torch

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """Whether this CPU has bf16 matrix units (AVX512-BF16 or AMX), which oneDNN uses for bf16
    matrix products; without them bf16 is emulated and slower than fp32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def bf16_applies(device: torch.device, bf16: bool | str) -> bool:
    """Whether bf16 autocast runs. ``True``: on CUDA or a CPU with native bf16 units (elsewhere fp32,
    with a warning: emulated bf16 is several times slower than fp32). ``"auto"``: the same, with no
    warning where it does not apply (the default config's choice). ``False``: never."""
    if bf16 not in (True, False, "auto"):
        raise ValueError(f"bf16 must be true, false or auto, not {bf16!r}")
    if not bf16:
        return False
    if device.type == "cuda":
        return True
    if device.type == "cpu" and cpu_has_native_bf16():
        return True
    if bf16 is True:
        _warn_once(device.type)
    return False


@functools.lru_cache(maxsize=None)
def _warn_once(device_type: str) -> None:
    log.warning("bf16 was asked for, but this %s has no native bf16 units: running in fp32 (emulated bf16 is slower)", device_type)


def autocast(device: torch.device, bf16: bool | str):
    """bf16 autocast where ``bf16_applies``; fp32 otherwise."""
    if bf16_applies(device, bf16):
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()

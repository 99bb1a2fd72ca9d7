"""torch.optim's Adam and AdamW without importing torch's compiler.

The first step of a torch optimizer imports ``torch._dynamo`` (the compiler's tracer, sympy with it):
about 0.9 s on a 2-core CPU, in every job that trains anything, as long as a linear probe's whole
training of ten seeds takes. It is imported for two things that only matter while compiling:
``step`` is wrapped in graph breaks, and the update functions and some methods are marked "never
compile" by ``torch._disable_dynamo``, which builds its marker on first call. Our jobs never compile.
So ``Adam``/``AdamW`` here run torch's own ``step`` (the same code, the same update functions)
without the graph-break wrapper, under the grad mode that wrapper sets, and each marker is given its
answer ahead of time: the function itself, which is what the marker calls outside compilation.
What is computed is unchanged (tests/test_lean_optim.py: the same weights, bit for bit, as
torch.optim's); where the compiler is already imported, the markers are left alone.
"""

from __future__ import annotations

import sys

import torch

_done = False


def _marker_code():
    """The code object of the closure ``torch._disable_dynamo`` wraps a function in."""
    return torch._disable_dynamo(lambda: None).__code__


def skip_compiler_import() -> int:
    """Pre-answer the "never compile" markers of torch.optim's optimizers and schedulers; returns how
    many (0 once done, or where the compiler is already imported)."""
    global _done
    if _done or "torch._dynamo" in sys.modules:
        return 0
    marker = _marker_code()
    modules = [m for name, m in list(sys.modules.items()) if name.startswith("torch.optim") and m is not None]
    answered = 0
    for module in modules:
        for obj in list(vars(module).values()):
            members = list(vars(obj).values()) if isinstance(obj, type) and obj.__module__ == module.__name__ else [obj]
            for f in members:
                wrapped = getattr(f, "__wrapped__", None)
                code = getattr(f, "__code__", None)
                if wrapped is None or code is None:
                    continue
                # the marker itself (inner), or the optimizers' update functions, whose wrapper
                # (maybe_fallback) calls a marker around the same function
                if code is marker or code.co_name == "maybe_fallback":
                    if getattr(wrapped, "__dynamo_disable", None) is None:
                        wrapped.__dynamo_disable = wrapped
                        answered += 1
    _done = True
    return answered


def _ungated_step(cls):
    """``cls.step`` without its graph-break wrapper (``_use_grad_for_differentiable``), or None where
    this torch has no such wrapper to bypass."""
    step = cls.step
    gated = getattr(step, "__code__", None) is not None and step.__code__.co_name == "_use_grad"
    return getattr(step, "__wrapped__", None) if gated else None


class _WithoutCompiler:
    """Mixed into a torch optimizer class: its markers pre-answered before it is made, and its own
    step (``_ungated``, found once per class) run without the graph-break wrapper, under the grad mode
    that wrapper sets. Where this torch has no such wrapper, its ``step`` as it is."""

    _ungated = None

    def __init__(self, *args, **kwargs):
        skip_compiler_import()
        super().__init__(*args, **kwargs)

    def step(self, closure=None):
        if self._ungated is None:
            return super().step(closure)
        with torch.set_grad_enabled(self.defaults["differentiable"]):
            return self._ungated(closure)


class Adam(_WithoutCompiler, torch.optim.Adam):
    _ungated = _ungated_step(torch.optim.Adam)


class AdamW(_WithoutCompiler, torch.optim.AdamW):
    _ungated = _ungated_step(torch.optim.AdamW)

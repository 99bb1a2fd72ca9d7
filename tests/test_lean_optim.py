"""training/lean_optim.py: torch's Adam and AdamW, stepped without importing torch's compiler. They
must compute exactly what torch.optim's do, and a training job must not import the compiler."""

import subprocess
import sys
import textwrap

import pytest
import torch

from weak2strong.training import lean_optim


def train_weights(optimizer_class, steps=60, **options):
    """A small two-layer model trained with two parameter groups (different learning rates), weight
    decay and a schedule, as the workflow's loops do; its weights at the end."""
    gen = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(12, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    groups = [{"params": model[0].parameters(), "lr": 3e-3}, {"params": model[2].parameters(), "lr": 1e-2}]
    opt = optimizer_class(groups, **options)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10))
    x, y = torch.randn(64, 12, generator=gen), torch.randint(0, 2, (64,), generator=gen)
    for step in range(steps):
        idx = torch.arange(step * 16, step * 16 + 16) % 64
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
        opt.step()
        sched.step()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("ours, theirs, options", [
    (lean_optim.Adam, torch.optim.Adam, {"weight_decay": 0.01}),
    (lean_optim.Adam, torch.optim.Adam, {"amsgrad": True, "betas": (0.8, 0.95)}),
    (lean_optim.AdamW, torch.optim.AdamW, {"weight_decay": 0.1}),
])
def test_the_same_weights_bit_for_bit_as_torch_optim(ours, theirs, options):
    mine, reference = train_weights(ours, **options), train_weights(theirs, **options)
    assert all(torch.equal(a, b) for a, b in zip(mine, reference))
    assert not all(torch.equal(a, b) for a, b in zip(mine, train_weights(ours, steps=59, **options)))  # the steps did move them


def test_the_step_keeps_the_grad_mode_it_found():
    model = torch.nn.Linear(3, 1)
    opt = lean_optim.Adam(model.parameters())
    model(torch.ones(2, 3)).sum().backward()
    with torch.enable_grad():
        opt.step()
        assert torch.is_grad_enabled()
    with torch.no_grad():
        opt.step()
        assert not torch.is_grad_enabled()


def test_a_probe_job_never_imports_the_compiler():
    """The workflow's own probe training, in a fresh interpreter: torch._dynamo (and sympy with it,
    about 0.9 s) stays unimported, which a plain torch.optim.Adam does not manage."""
    script = textwrap.dedent("""
        import sys
        import numpy as np
        import torch
        from weak2strong.losses import LOSSES
        from weak2strong.training.loop import TrainConfig
        from weak2strong.training.probe import fit_probe
        features = torch.randn(200, 16)
        targets = (features[:, 0] > 0).float().numpy()
        fit_probe(features, targets, LOSSES["xent"](), TrainConfig(epochs=2, batch_size=32, lr=1e-2), seed=0)
        heavy = [m for m in ("torch._dynamo", "sympy") if m in sys.modules]
        torch.optim.Adam(torch.nn.Linear(2, 1).parameters()).step()
        print(heavy, "torch._dynamo" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["[]", "True"]  # none while our loop trained; torch.optim's own imports it

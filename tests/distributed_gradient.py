"""Run under ``torch.distributed.run`` by test_distributed.py: one batch's gradient, computed by
``accumulate_gradients`` in this process's share, saved by the main process."""

import sys

import numpy as np
import torch

from weak2strong.losses import make_loss
from weak2strong.training.distributed import current, data_parallel
from weak2strong.training.loop import TrainConfig, accumulate_gradients


class Probe(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(5, 2)

    def forward(self, x):
        return self.linear(x)


def batch_gradient(micro_batch_size: int | None, loss: str = "xent") -> tuple[np.ndarray, float]:
    """The gradient of the mean loss over a fixed batch of 11 examples (logconf at full strength:
    its hardened targets depend on the whole batch)."""
    torch.manual_seed(0)
    model = Probe()
    x = torch.randn(11, 5, generator=torch.Generator().manual_seed(1))
    y = torch.rand(11, generator=torch.Generator().manual_seed(2))
    net = data_parallel(model)
    cfg = TrainConfig(lr=1.0, micro_batch_size=micro_batch_size)
    loss_fn = make_loss(loss, {"alpha_max": 1.0, "warmup_frac": 0.0} if loss == "logconf" else {})
    value = accumulate_gradients(net, lambda i: {"x": x[i]}, y, loss_fn, np.arange(11), 0.5, cfg, torch.device("cpu"))
    return model.linear.weight.grad.numpy().copy(), float(value)


if __name__ == "__main__":
    grad, loss = batch_gradient(int(sys.argv[2]), sys.argv[3])
    from weak2strong.training.distributed import all_sum

    total_loss = all_sum(loss)
    if current().is_main:
        np.save(sys.argv[1], np.append(grad.ravel(), total_loss))

"""Losses against values computed by hand."""

import math

import pytest
import torch

from weak2strong.losses import LogConf, Product, Xent, hardened_predictions, linear_ramp, make_loss


def logits_for(p1):
    """Logits [0, log(p/(1-p))] give softmax probability p for class 1."""
    p1 = torch.tensor(p1, dtype=torch.float64)
    return torch.stack([torch.zeros_like(p1), torch.log(p1 / (1 - p1))], dim=-1)


def test_xent_matches_hand_computation():
    logits = logits_for([0.8, 0.3])
    weak = torch.tensor([0.9, 0.5], dtype=torch.float64)
    # CE = -[0.1 log 0.2 + 0.9 log 0.8] and -[0.5 log 0.7 + 0.5 log 0.3], averaged
    expected = (-(0.1 * math.log(0.2) + 0.9 * math.log(0.8)) - (0.5 * math.log(0.7) + 0.5 * math.log(0.3))) / 2
    assert Xent()(logits, weak, 0.3).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("frac,expected", [(0.0, 0.0), (0.1, 0.375), (0.2, 0.75), (0.5, 0.75), (1.0, 0.75)])
def test_logconf_alpha_ramps_linearly_over_first_20_percent(frac, expected):
    # The public release jumps from 0 to alpha_max; ours must ramp: half of it at 10%.
    assert LogConf(alpha_max=0.75, warmup_frac=0.2).alpha(frac) == pytest.approx(expected)


def test_linear_ramp_without_warmup_is_flat():
    assert linear_ramp(0.0, 0.5, 0.0) == 0.5


def test_hardened_predictions_match_the_weak_prior():
    student_p1 = torch.tensor([0.9, 0.2, 0.6, 0.4])
    # prior 0.25 -> exactly one positive: the student's most confident example
    assert hardened_predictions(student_p1, torch.tensor(0.25)).tolist() == [1, 0, 0, 0]
    # prior 0.5 -> two positives, even though only one p1 exceeds 0.5 by much
    assert hardened_predictions(student_p1, torch.tensor(0.5)).tolist() == [1, 0, 1, 0]
    assert hardened_predictions(student_p1, torch.tensor(0.0)).tolist() == [0, 0, 0, 0]


def test_logconf_matches_hand_computation_at_half_ramp():
    student = [0.8, 0.3, 0.6, 0.1]
    weak = torch.tensor([0.7, 0.6, 0.2, 0.5], dtype=torch.float64)  # prior 0.5 -> two hardened positives
    loss = LogConf(alpha_max=0.5, warmup_frac=0.2)
    # step 10% -> alpha 0.25; hardened: top-2 student probabilities (0.8, 0.6) -> [1, 0, 1, 0]
    hard = [1, 0, 1, 0]
    alpha = 0.25
    expected = 0.0
    for s, w, h in zip(student, weak.tolist(), hard):
        ce_weak = -(w * math.log(s) + (1 - w) * math.log(1 - s))
        ce_hard = -(h * math.log(s) + (1 - h) * math.log(1 - s))
        expected += (1 - alpha) * ce_weak + alpha * ce_hard
    expected /= 4
    assert loss(logits_for(student), weak, 0.1).item() == pytest.approx(expected, rel=1e-6)


def test_logconf_at_step_zero_equals_xent():
    logits = logits_for([0.8, 0.3, 0.6])
    weak = torch.tensor([0.9, 0.1, 0.4], dtype=torch.float64)
    assert LogConf()(logits, weak, 0.0).item() == pytest.approx(Xent()(logits, weak, 0.0).item())


def test_logconf_gradient_does_not_flow_through_the_hardened_target():
    logits = logits_for([0.8, 0.3]).requires_grad_(True)
    LogConf(alpha_max=0.5)(logits, torch.tensor([0.9, 0.2], dtype=torch.float64), 1.0).backward()
    assert torch.isfinite(logits.grad).all()


def test_product_target_is_normalised_product():
    student = [0.8, 0.4]
    weak = [0.6, 0.9]
    loss = Product(alpha=1.0, beta=1.0, warmup_frac=0.0)
    expected = 0.0
    for s, w in zip(student, weak):
        t1 = s * w / (s * w + (1 - s) * (1 - w))
        expected += -(t1 * math.log(s) + (1 - t1) * math.log(1 - s))
    expected /= 2
    assert loss(logits_for(student), torch.tensor(weak, dtype=torch.float64), 0.5).item() == pytest.approx(expected, rel=1e-5)


def test_unknown_loss_names_the_known_ones():
    with pytest.raises(KeyError, match="xent"):
        make_loss("nope")

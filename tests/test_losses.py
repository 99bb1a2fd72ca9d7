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


def ce(s, w):
    """Binary cross-entropy of target w against prediction s, by hand."""
    return -(w * math.log(s) + (1 - w) * math.log(1 - s))


def test_confidence_threshold_trains_on_confident_weak_labels_only():
    loss = make_loss("conf_threshold", {"threshold": 0.5})
    weak = torch.tensor([0.9, 0.6, 0.1, 0.55], dtype=torch.float64)  # confidences 0.8, 0.2, 0.8, 0.1
    student = [0.7, 0.2, 0.4, 0.9]
    expected = (ce(0.7, 0.9) + ce(0.4, 0.1)) / 2
    assert loss(logits_for(student), weak, 0.5).item() == pytest.approx(expected, rel=1e-6)
    assert loss.kept_fraction(weak) == 0.5


def test_confidence_threshold_with_nothing_kept_gives_zero_and_a_gradient():
    logits = logits_for([0.7, 0.2]).requires_grad_(True)
    out = make_loss("conf_threshold", {"threshold": 0.99})(logits, torch.tensor([0.6, 0.4], dtype=torch.float64), 0.5)
    out.backward()
    assert out.item() == 0.0 and (logits.grad == 0).all()


def test_kl_is_xent_minus_weak_entropy_and_zero_at_a_perfect_fit():
    weak = torch.tensor([0.9, 0.3], dtype=torch.float64)
    student = [0.6, 0.5]
    entropy = sum(-(w * math.log(w) + (1 - w) * math.log(1 - w)) for w in (0.9, 0.3)) / 2
    assert make_loss("kl")(logits_for(student), weak, 0.0).item() == pytest.approx(Xent()(logits_for(student), weak, 0).item() - entropy, rel=1e-5)
    assert make_loss("kl")(logits_for([0.9, 0.3]), weak, 0.0).item() == pytest.approx(0.0, abs=1e-6)


def test_reverse_xent_by_hand_with_floor():
    loss = make_loss("reverse_xent", {"log_floor": -4.0})
    weak = torch.tensor([0.8, 1.0], dtype=torch.float64)
    student = [0.6, 0.3]
    # -[0.4 log 0.2 + 0.6 log 0.8] and -[0.7 * max(log 0, -4) + 0.3 log 1]
    expected = (-(0.4 * math.log(0.2) + 0.6 * math.log(0.8)) - (0.7 * -4.0)) / 2
    assert loss(logits_for(student), weak, 0.5).item() == pytest.approx(expected, rel=1e-6)


def test_confidence_window_skips_examples_the_student_is_sure_of():
    loss = make_loss("conf_window", {"window": 0.5, "warmup_frac": 0.2})
    weak = torch.tensor([0.9, 0.2, 0.7], dtype=torch.float64)
    student = [0.95, 0.6, 0.4]  # confidences 0.9 (skipped), 0.2, 0.2
    assert loss(logits_for(student), weak, 0.5).item() == pytest.approx((ce(0.6, 0.2) + ce(0.4, 0.7)) / 2, rel=1e-6)
    # during warm-up every example counts
    assert loss(logits_for(student), weak, 0.1).item() == pytest.approx(Xent()(logits_for(student), weak, 0.1).item())


def test_adaptive_confidence_weights_by_relative_confidence():
    student, weak = 0.9, 0.6
    c_s, c_w = -math.log(0.9), -math.log(0.6)  # unsureness: CE of each against its own hard label
    beta = math.exp(-c_s) / (math.exp(-c_s) + math.exp(-c_w))  # = 0.9 / 1.5 = 0.6
    assert beta == pytest.approx(0.6)
    target = (1 - beta) * weak + beta * 1.0
    out = make_loss("adaptive_conf")(logits_for([student]), torch.tensor([weak], dtype=torch.float64), 0.5)
    assert out.item() == pytest.approx(ce(student, target), rel=1e-6)


@pytest.mark.parametrize("name", ["xent", "logconf", "product", "conf_threshold", "kl", "reverse_xent", "conf_window", "adaptive_conf"])
def test_every_loss_trains_a_probe_towards_clean_labels(name):
    # A method must at least learn a separable task from correct, confident labels.
    from weak2strong.training.loop import TrainConfig
    from weak2strong.training.probe import fit_probe, probe_predict

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(256, 8, generator=gen)
    y = (x[:, 0] > 0).float()
    probe, _ = fit_probe(x, (0.05 + 0.9 * y).numpy(), make_loss(name), TrainConfig(lr=0.05, epochs=30), seed=0)
    assert ((probe_predict(probe, x) > 0.5) == y.numpy().astype(bool)).mean() > 0.95

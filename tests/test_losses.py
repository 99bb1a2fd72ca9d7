"""Losses against values computed by hand."""

import math

import pytest
import torch

from weak2strong.losses import (
    LOSSES,
    LogConf,
    Product,
    Xent,
    hardened_predictions,
    linear_ramp,
    make_loss,
)


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


@pytest.mark.parametrize("loss", [LogConf(alpha_max=0.5), Product(alpha=1.0, beta=1.0, warmup_frac=0.0)])
def test_gradient_does_not_flow_through_the_students_own_target(loss):
    """The target built from the student's own predictions (logconf's hardened labels, product's
    p_student^β) is a constant: the gradient is exactly (softmax − target) / n, as for a fixed
    target. Were the target not detached, product's gradient would gain a term through it."""
    student, weak = [0.8, 0.3, 0.6], torch.tensor([0.9, 0.2, 0.55], dtype=torch.float64)
    logits = logits_for(student).requires_grad_(True)
    loss(logits, weak, 1.0).backward()
    p = torch.softmax(logits.detach(), -1)
    if isinstance(loss, LogConf):
        hard = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)  # prior 0.55 of 3 -> the top 2
        target1 = 0.5 * weak + 0.5 * hard
    else:
        product = p[:, 1] * weak
        target1 = product / (product + p[:, 0] * (1 - weak))
    target = torch.stack([1 - target1, target1], -1)
    torch.testing.assert_close(logits.grad, (p - target) / 3)


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
    xent = Xent()(logits_for(student), weak, 0).item()
    assert make_loss("kl")(logits_for(student), weak, 0.0).item() == pytest.approx(xent - entropy, rel=1e-5)
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


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_trains_a_probe_towards_clean_labels(name):
    # A method must at least learn a separable task from correct, confident labels.
    from weak2strong.training.loop import TrainConfig
    from weak2strong.training.probe import fit_probe, probe_predict

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(256, 8, generator=gen)
    y = (x[:, 0] > 0).float()
    probe, _ = fit_probe(x, (0.05 + 0.9 * y).numpy(), make_loss(name), TrainConfig(lr=0.05, epochs=30), seed=0)
    assert ((probe_predict(probe, x) > 0.5) == y.numpy().astype(bool)).mean() > 0.95


def test_logconf_in_micro_batches_gives_the_full_batch_gradient():
    """logconf's hardened targets are chosen over the whole batch (its prior and threshold), also
    when the batch is trained in micro-batches: the same gradient as one pass over the batch. Taken
    per micro-batch, as before, the targets and so the gradient differ."""
    import numpy as np

    from weak2strong.training.loop import TrainConfig, accumulate_gradients

    x = torch.randn(12, 3, generator=torch.Generator().manual_seed(0))
    # weak labels positive on the first 8 only: a micro-batch of 4 sees a different prior
    weak = torch.tensor([0.9] * 8 + [0.2] * 4)
    loss_fn = LogConf(alpha_max=1.0, warmup_frac=0.0)

    def gradient(micro_batch_size, per_micro_batch=False):
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 2)
        fn = (lambda logits, w, frac, stats=None: loss_fn(logits, w, frac)) if per_micro_batch else loss_fn
        cfg = TrainConfig(lr=1.0, micro_batch_size=micro_batch_size)
        accumulate_gradients(model, lambda i: {"input": x[i]}, weak, fn, np.arange(12), 0.5, cfg, torch.device("cpu"))
        return model.weight.grad.clone()

    full = gradient(None)
    torch.testing.assert_close(gradient(4), full, rtol=1e-5, atol=1e-7)
    assert (gradient(4, per_micro_batch=True) - full).abs().max() > 1e-3


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_on_a_two_class_distribution_is_the_binary_loss(name):
    """k-way soft labels reduce to the binary ones at k = 2: the same value from p1 and from [1 − p1, p1]."""
    torch.manual_seed(0)
    logits = torch.randn(64, 2)
    p1 = torch.rand(64)
    loss = make_loss(name)
    for frac in (0.05, 0.6, 1.0):
        assert float(loss(logits, torch.stack([1 - p1, p1], -1), frac)) == pytest.approx(float(loss(logits, p1, frac)), abs=1e-6)


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_trains_on_k_way_soft_labels(name):
    torch.manual_seed(0)
    logits = torch.randn(32, 10, requires_grad=True)
    weak = torch.softmax(torch.randn(32, 10) * 3, -1)
    value = make_loss(name)(logits, weak, 0.5)
    value.backward()
    assert torch.isfinite(value) and logits.grad.abs().sum() > 0


def test_logconf_on_k_classes_by_hand():
    """k > 2: f̂(x) is the student's most likely class; L = CE(f, (1 − α)·f_w + α·f̂)."""
    logits = torch.tensor([[2.0, 0.0, 0.0]])
    weak = torch.tensor([[0.2, 0.7, 0.1]])
    alpha = 0.5
    target = [(1 - alpha) * w + alpha * h for w, h in zip([0.2, 0.7, 0.1], [1.0, 0.0, 0.0])]
    log_z = math.log(math.exp(2) + 2)
    expected = -sum(t * (logit - log_z) for t, logit in zip(target, [2.0, 0.0, 0.0]))
    assert float(make_loss("logconf", {"alpha_max": alpha, "warmup_frac": 0.2})(logits, weak, 1.0)) == pytest.approx(expected)


def test_epoch_batches_cover_every_example_once_and_length_buckets_cut_padding():
    import numpy as np

    from weak2strong.training.loop import epoch_batches

    n, bs = 1000, 32
    lengths = np.random.default_rng(1).integers(10, 300, size=n)
    plain = epoch_batches(n, bs, torch.Generator().manual_seed(0))
    # the default is the seeded permutation cut in order (what the loop always did)
    assert torch.equal(torch.cat(plain), torch.randperm(n, generator=torch.Generator().manual_seed(0)))
    bucketed = epoch_batches(n, bs, torch.Generator().manual_seed(0), lengths)
    again = epoch_batches(n, bs, torch.Generator().manual_seed(0), lengths)
    assert all(torch.equal(a, b) for a, b in zip(bucketed, again))  # seeded
    for batches in (plain, bucketed):
        assert len(batches) == -(-n // bs)  # as many steps per epoch either way
        assert sorted(torch.cat(batches).tolist()) == list(range(n))

    def padded_tokens(batches):
        return sum(len(b) * lengths[b.numpy()].max() for b in batches)

    assert padded_tokens(bucketed) < 0.7 * padded_tokens(plain)
    # the batches' order stays random: not sorted by length
    longest = [lengths[b.numpy()].max() for b in bucketed]
    assert longest != sorted(longest) and longest != sorted(longest, reverse=True)


def test_logconf_prior_reads_p1_from_two_column_labels():
    """The hardening prior of a batch is its weak labels' mean p(class 1) also when they come as
    [batch, 2] distributions (micro-batches and k-way label tables hand them over so); averaging the
    whole array gave 0.5 whatever the labels said."""
    loss = LogConf(alpha_max=0.5)
    student = torch.tensor([0.9, 0.8, 0.6, 0.4, 0.3, 0.1, 0.05, 0.02])
    weak_p1 = torch.tensor([0.9, 0.9, 0.8, 0.9, 0.2, 0.7, 0.1, 0.6])  # mean 0.6375: round(5.1) = 5 positives
    two_column = torch.stack([1 - weak_p1, weak_p1], dim=1)
    hard = loss.batch_statistics(student, two_column)["hard"]
    assert hard.tolist() == [1, 1, 1, 1, 1, 0, 0, 0]
    assert torch.equal(hard, loss.batch_statistics(student, weak_p1)["hard"])
    logits = torch.log(torch.stack([1 - student, student], dim=1))
    assert loss(logits, two_column, 1.0).item() == pytest.approx(loss(logits, weak_p1, 1.0).item())
    assert loss.batch_statistics(student, torch.full((8, 3), 1 / 3)) == {}

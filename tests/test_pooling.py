import torch

from weak2strong.models.pooling import last_token_index, pool


def test_last_token_with_right_and_left_padding():
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1, 1], [0, 1, 1, 1, 1]])
    assert last_token_index(right).tolist() == [2, 4]
    assert last_token_index(left).tolist() == [4, 4]


def test_last_token_ignores_token_ids():
    # GPT-2's "!" is id 0: a sequence ending in it must still read its last real position.
    input_ids = torch.tensor([[464, 3290, 0, 50256, 50256]])  # "... !" then two pad tokens
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    hidden = torch.arange(5, dtype=torch.float32).view(1, 5, 1)
    assert pool(hidden, mask, "last").item() == 2.0
    assert last_token_index(mask).item() == 2
    # what counting non-zero ids would read instead: the first pad token, not the "!"
    assert (input_ids != 0).sum().item() - 1 == 3


def test_mean_pooling_skips_padding():
    hidden = torch.tensor([[[1.0], [3.0], [100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert pool(hidden, mask, "mean").item() == 2.0

import torch

from weak2strong.models.pooling import last_token_index, pool


def test_last_token_with_right_and_left_padding():
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1, 1], [0, 1, 1, 1, 1]])
    assert last_token_index(right).tolist() == [2, 4]
    assert last_token_index(left).tolist() == [4, 4]


def test_last_token_ignores_token_ids():
    """GPT-2's "!" is id 0 and its pad token is not: a sequence ending in "!" must still be read at
    its last real position. Counting non-zero ids (a public implementation's way) reads a pad."""
    input_ids = torch.tensor([[464, 3290, 0, 50256, 50256]])  # "... !" then two pad tokens
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    hidden = torch.arange(5, dtype=torch.float32).view(1, 5, 1) * 10  # position k holds 10k

    def pooled_by_counting_ids(ids):
        return hidden[0, (ids != 0).sum() - 1].item()

    assert pool(hidden, mask, "last").item() == 20.0  # the "!"
    assert pooled_by_counting_ids(input_ids) == 30.0 != pool(hidden, mask, "last").item()  # the failure this prevents


def test_mean_pooling_skips_padding():
    hidden = torch.tensor([[[1.0], [3.0], [100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert pool(hidden, mask, "mean").item() == 2.0

"""Legal-move ranking: a language model's choice among a puzzle's legal moves, and its exact match.

Greedy generation (the paper's metric, and the headline) asks a model to write a move; a small model
mostly writes something that is not a legal move, so its accuracy says little about what it knows.
Ranking asks which legal move it finds most likely: every legal move is scored as a continuation of
the prompt, as training writes it (`` Qh5`` and the end-of-text token that closes a move), and the
best is its answer. Three scores, all reported:

- ``sum`` of the tokens' log-probabilities: log p(move | prompt), which favours moves of few tokens
  (short SAN), whatever the position;
- ``mean`` per token: the opposite bias, towards long SAN;
- ``calibrated``: log p(move | prompt) − log p(move | the content-free prompt), the same prompt with
  the position taken out (``content_free_prompt``): how much the position raises a move above the
  model's prior for that string, which removes the length preference both others carry.

Exact match against the solution sits beside the random-legal-move line (1 / number of legal moves,
per puzzle). The prompt is run once per puzzle and its key-value cache shared by every move.

It imports torch only inside its functions: scripts that never rank moves load it cheaply.
"""

from __future__ import annotations

import copy
import re

import numpy as np

REDUCTIONS = ("sum", "mean", "calibrated")


def legal_moves(position: str) -> tuple[list[str], list[str]]:
    """(SAN, UCI) of every legal move on ``position``, in python-chess's order."""
    import chess

    board = chess.Board(position)
    moves = list(board.legal_moves)
    return [board.san(m) for m in moves], [m.uci() for m in moves]


def prompt_ids(tokenizer, prompt: str, bos: bool = True) -> list[int]:
    """The prompt's tokens as the generative path reads them (``training.generative.prompt_tokens``:
    with the special tokens the tokenizer puts before a text, such as Gemma's ``<bos>``), or without
    them (``bos`` False)."""
    from ...training.generative import prompt_tokens

    return prompt_tokens(tokenizer, prompt)[0] if bos else tokenizer(prompt, add_special_tokens=False)["input_ids"]


def content_free_prompt(prompt: str) -> str:
    """``prompt`` with the position taken out, its format kept: a PGN header's FEN emptied (the moves
    after it kept), the FEN prompt's position emptied; a whole game (no header) becomes an empty-FEN
    header before its last two tokens (the move number and the opponent's move)."""
    from .puzzles import PGN_TEMPLATE

    if '[FEN "' in prompt:
        return re.sub(r'\[FEN "[^"]*"\]', '[FEN ""]', prompt)
    if prompt.startswith("Chess puzzle. Position (FEN):"):
        return re.sub(r"Position \(FEN\): [^\n]*", "Position (FEN): ", prompt)
    return PGN_TEMPLATE.format(fen="", moves=" ".join(prompt.split()[-2:]))


def continuation_logprobs(model, tokenizer, prompt: str, continuations: list[str], bos: bool = True,
                          max_length: int | None = None, end: bool = False) -> list[np.ndarray]:
    """Per continuation, the log-probability of each of its tokens after ``prompt`` (tokenised apart,
    as the generative training targets are; ``end``: followed by the end-of-text token, which closes
    a training target). The prompt runs once; its cache serves every continuation.

    The prompt and the longest continuation fit ``max_length`` (the length greedy decoding and training
    read; None: no limit) and the model's positions: a longer prompt loses tokens from the left, its
    leading special tokens kept, as greedy decoding cuts it (reading past GPT-2's positions was an
    IndexError, and past a RoPE model's trained window a silent extrapolation)."""
    import torch

    from ...models.backbone import positions_of
    from ...training.generative import leading_special_tokens, prompt_tokens

    device = next(model.parameters()).device
    close = [tokenizer.eos_token_id] if end and tokenizer.eos_token_id is not None else []
    conts = [tokenizer(c, add_special_tokens=False)["input_ids"] + close for c in continuations]
    limits = [n for n in (max_length, positions_of(getattr(model, "config", None))) if n]
    room = min(limits) - max(len(c) for c in conts) if limits else None
    if room is not None and room < 1:
        raise ValueError(f"a window of {min(limits)} tokens leaves no room for a prompt before a {max(len(c) for c in conts)}-token move")
    if bos:
        prefix = prompt_tokens(tokenizer, prompt, room, leading_special_tokens(tokenizer))[0]
    else:
        prefix = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        prefix = prefix[len(prefix) - room:] if room is not None and len(prefix) > room else prefix
    with torch.no_grad():
        model.eval()
        out = model(input_ids=torch.tensor([prefix], device=device), use_cache=True)
        first = torch.log_softmax(out.logits[0, -1].float(), -1)
        width = max(len(c) for c in conts)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        ids = torch.full((len(conts), width), pad, dtype=torch.long)
        mask = torch.zeros((len(conts), width), dtype=torch.long)
        for row, c in enumerate(conts):  # right padding: every continuation starts right after the prompt
            ids[row, :len(c)] = torch.tensor(c)
            mask[row, :len(c)] = 1
        past = copy.deepcopy(out.past_key_values)
        past.batch_repeat_interleave(len(conts))
        attention = torch.cat([torch.ones((len(conts), len(prefix)), dtype=torch.long), mask], 1).to(device)
        logits = model(input_ids=ids.to(device), attention_mask=attention, past_key_values=past, use_cache=True).logits.float()
        logp = torch.log_softmax(logits, -1)
    result = []
    for row, c in enumerate(conts):
        scores = [first[c[0]].item()] + [logp[row, t - 1, c[t]].item() for t in range(1, len(c))]
        result.append(np.array(scores))
    return result


def move_scores(model, tokenizer, prompt: str, position: str, bos: bool = True, max_length: int | None = None) -> dict:
    """Every legal move on ``position`` (SAN, UCI) with its three scores (``REDUCTIONS``), each move
    scored with the end-of-text token that closes it in training."""
    sans, ucis = legal_moves(position)
    if not sans:
        return {"san": [], "uci": [], **{r: np.array([]) for r in REDUCTIONS}}
    moves = [" " + s for s in sans]
    on_prompt = continuation_logprobs(model, tokenizer, prompt, moves, bos, max_length, end=True)
    prior = continuation_logprobs(model, tokenizer, content_free_prompt(prompt), moves, bos, max_length, end=True)
    total = np.array([t.sum() for t in on_prompt])
    return {"san": sans, "uci": ucis, "sum": total, "mean": np.array([t.mean() for t in on_prompt]),
            "calibrated": total - np.array([t.sum() for t in prior])}


def rank_legal_moves(model, tokenizer, prompt: str, position: str, reduce: str = "sum", bos: bool = True,
                     max_length: int | None = None) -> dict:
    """The model's top-ranked legal move on ``position`` after ``prompt`` by ``reduce`` (cut to
    ``max_length`` as ``continuation_logprobs`` says): its SAN and UCI, the number of legal moves,
    every move's score, and the pick of every reduction (``picks``: reduction -> UCI)."""
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be one of {REDUCTIONS}, not {reduce!r}")
    scored = move_scores(model, tokenizer, prompt, position, bos, max_length)
    if not scored["san"]:
        return {"san": "", "uci": "", "n_legal": 0, "scores": np.array([]), "picks": dict.fromkeys(REDUCTIONS, "")}
    picks = {r: scored["uci"][int(np.argmax(scored[r]))] for r in REDUCTIONS}
    best = int(np.argmax(scored[reduce]))
    return {"san": scored["san"][best], "uci": scored["uci"][best], "n_legal": len(scored["san"]), "scores": scored[reduce],
            "picks": picks}

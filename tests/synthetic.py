"""A text task built to contain a weak-to-strong gap, for the end-to-end test.

Review sentences whose label is the polarity of one sentiment adjective among many, wrapped in
neutral context. A weak supervisor that reads only static token embeddings (MiniLM layer 0) and
learns from few examples generalises poorly to adjectives it has not seen; a full sentence encoder
(MiniLM, 6 layers) knows the polarity of unseen adjectives, so its student can see through the
weak labels' errors.
"""

import random

POSITIVE = (
    "wonderful excellent delightful superb fantastic lovely brilliant charming pleasant marvelous terrific "
    "splendid enjoyable outstanding impressive remarkable magnificent gorgeous friendly helpful perfect great "
    "amazing beautiful fabulous stellar cheerful generous graceful elegant refreshing comfortable reliable "
    "spotless tasty welcoming exquisite heartwarming uplifting flawless"
).split()
NEGATIVE = (
    "terrible awful horrible dreadful disgusting miserable rude filthy boring disappointing unpleasant mediocre "
    "broken noisy painful useless pathetic nasty gloomy shabby greasy stale careless clumsy hostile cramped dirty "
    "lousy tedious unreliable overpriced annoying frustrating bland sloppy dismal appalling atrocious horrendous grim"
).split()
NOUNS = "hotel staff food room service movie doctor book trip app concert lesson flight car café museum".split()
# The adjective comes early in some templates and late in others: a supervisor that reads only
# the first few tokens must guess on the late ones, so its errors are not a pattern to imitate.
EARLY = [
    "{a} {n}, we stayed until {t} on {d} with friends from the city.",
    "{a} was the word for the {n} we visited on {d} before {t}.",
]
LATE = [
    "On {d} we went to the {n} with friends from the city and stayed until {t}; it was {a}.",
    "We visited the {n} on {d} and stayed there with friends until {t}, and it was {a}.",
]
TIMES = "noon midnight sunset eight nine ten".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def make_rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < n:
        label = rng.random() < 0.5
        adj = rng.choice(POSITIVE if label else NEGATIVE)
        template = rng.choice(EARLY if rng.random() < 0.6 else LATE)
        text = template.format(n=rng.choice(NOUNS), a=adj, t=rng.choice(TIMES), d=rng.choice(DAYS))
        text = text[0].upper() + text[1:]
        if text in seen:
            continue
        seen.add(text)
        rows.append({"sentence": text, "sentiment": "pos" if label else "neg", "adjective": adj})
    return rows


def toy_splits(n=48):
    """A separable toy task already split: ``n`` examples in each of train_a, train_b and test."""
    import pandas as pd

    rows = []
    for i in range(n):
        for split in ("train_a", "train_b", "test"):
            label = i % 2
            word = ["dreadful", "wonderful"][label]
            rows.append({"id": f"{split}{i}", "split": split, "text": f"{split} item {i} was {word}", "label": label,
                         "group": f"{split}{i}"})
    return pd.DataFrame(rows)


def make_puzzles(n: int, seed: int = 0, per_game: int = 2) -> list[dict]:
    """Lichess-format puzzles from random legal play (python-chess): ``per_game`` positions per
    game, the opponent's move and a random legal reply as the "solution", ratings 400–2800. Nothing
    here is learnable chess; it exercises the chess path end to end."""
    import chess

    rng = random.Random(seed)
    out = []
    game = 0
    while len(out) < n:
        board = chess.Board()
        game += 1
        for _ in range(rng.randrange(4, 30)):
            moves = list(board.legal_moves)
            if not moves:
                break
            board.push(rng.choice(moves))
        for _ in range(per_game):
            if board.is_game_over() or len(out) >= n:
                break
            fen = board.fen()
            first = rng.choice(list(board.legal_moves))
            board.push(first)
            if board.is_game_over():
                break
            second = rng.choice(list(board.legal_moves))
            board.pop()
            out.append({"PuzzleId": f"z{len(out):05d}", "FEN": fen, "Moves": f"{first.uci()} {second.uci()}",
                        "Rating": str(rng.randrange(400, 2800)), "RatingDeviation": "80", "Popularity": "90", "NbPlays": "100",
                        "Themes": "short", "GameUrl": f"https://lichess.org/g{game:07d}#{board.ply()}", "OpeningTags": ""})
            board.push(first)
            board.push(second)
    return out

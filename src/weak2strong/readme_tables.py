"""The docs' result tables and the sentences that state what they show, generated from the result
files (``results/metrics/*.csv``) and the benchmarks' rows, so that text and numbers cannot drift apart.

    python -m weak2strong.readme_tables [--results results] [--docs README.md docs/results.md docs/datasets.md]

rewrites every block between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` in the file
that has its place (``make readme`` runs it after ``make run``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from .families.registry import FAMILIES
from .registry import load
from .table_text import compare_pgr, interval, num, read_summary, subset_table, summary_table

# each family's generated blocks (families/<name>/tables.py), in the table's order
FAMILY_TABLES = [load(family.tables) for family in FAMILIES.values() if family.tables]


def methods_markdown(methods: pd.DataFrame, dataset: str, headline: tuple[str, str], baseline: str = "xent") -> str:
    """Per method: PGR (mean of per-seed values) for the headline pair, and for every pair the
    paired difference in student accuracy to ``baseline``, in points."""
    from .losses import LOSSES

    d = methods[methods["dataset"] == dataset]
    pairs = d[["weak", "strong"]].drop_duplicates().to_records(index=False).tolist()
    header = (f"| method | PGR {headline[0]} → {headline[1]}, mean of seeds [95% CI] | "
              + " | ".join(f"Δ acc vs {baseline}: {w} → {s}" for w, s in pairs) + " |")
    lines = [header, "|" + "---|" * (2 + len(pairs))]
    present = [loss for loss in LOSSES if loss in set(d["loss"])]
    for loss in present:
        rows = d[d["loss"] == loss].set_index(["weak", "strong"])
        h = rows.loc[headline]
        cells = [interval(h["pgr_mean"], h["pgr_ci_low"], h["pgr_ci_high"], int(h["pgr_n"]))]
        for pair in pairs:
            r = rows.loc[pair]
            if loss == baseline:
                cells.append("—")
                continue
            cells.append(interval(100 * r[f"student_acc_diff_vs_{baseline}"], 100 * r["student_acc_diff_ci_low"],
                                  100 * r["student_acc_diff_ci_high"], int(r["student_acc_diff_n"]), digits=1, signed=True))
        lines.append(f"| `{loss}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def methods_readings(methods: pd.DataFrame, summary: pd.DataFrame, dataset: str, baseline: str = "xent") -> str:
    """Per (weak, strong) pair of ``dataset``: its gap (the baseline cells' ceiling − weak), the methods
    whose paired difference to ``baseline`` has an interval above 0 (with their range of gains), those
    below 0, and the largest effect where none is clear."""
    d = methods[(methods["dataset"] == dataset) & (methods["loss"] != baseline)]
    s = summary[(summary["dataset"] == dataset) & (summary["loss"] == baseline)].set_index(["weak", "strong"])
    out = []
    for (weak, strong), g in d.groupby(["weak", "strong"], sort=False):
        diff = 100 * g[f"student_acc_diff_vs_{baseline}"]
        better = g[g["student_acc_diff_ci_low"] > 0]
        worse = g[g["student_acc_diff_ci_high"] < 0]
        text = f"- {weak} → {strong}"
        if (weak, strong) in s.index:
            text += f" (gap {num(100 * s.loc[(weak, strong), 'gap_mean'], 1)} points)"
        if len(better):
            gains = 100 * better[f"student_acc_diff_vs_{baseline}"]
            amount = (f"gains {num(gains.iloc[0], 1)} points" if len(better) == 1
                      else f"gain {num(gains.min(), 1)} to {num(gains.max(), 1)} points")
            text += f": {', '.join(f'`{m}`' for m in better['loss'])} {amount} over `{baseline}`, each interval above 0"
        else:
            text += f": no method's interval is above 0 (the largest mean difference is {num(diff.abs().max(), 1)} points)"
        text += f"; below `{baseline}`: {', '.join(f'`{m}`' for m in worse['loss'])}." if len(worse) else "."
        out.append(text)
    return "\n".join(out)


def claims(summary: pd.DataFrame, methods: pd.DataFrame, headline_dataset: str, control: str | None,
           baseline: str = "xent") -> str:
    """The sentences the README states about the tables, each computed from them."""
    out = []
    s = summary[summary["loss"] == baseline]
    for dataset, g in s.groupby("dataset", sort=False):
        gaps = 100 * g["gap_mean"]
        defined = g[g["pgr_of_means_ci_status"].fillna("") == ""]
        excl = defined[defined["pgr_of_means_ci_low"] > 0]
        which = ", ".join(f"{w} → {t}" for w, t in excl[["weak", "strong"]].itertuples(index=False))
        out.append(f"- **{dataset}**: the ceiling is {num(gaps.min(), 1)} to {num(gaps.max(), 1)} points above the weak model "
                   f"(mean over seeds, {len(g)} pairs); the `{baseline}` student's PGR has a 95% interval above 0 for "
                   f"{len(excl)} of {len(g)} pairs" + (f" ({which})" if 0 < len(excl) < len(g) else "") + ".")
    m = methods[(methods["dataset"] == headline_dataset) & (methods["loss"] != baseline)]
    for (weak, strong), g in m.groupby(["weak", "strong"], sort=False):
        better = g[g["student_acc_diff_ci_low"] > 0]["loss"].tolist()
        worse = g[g["student_acc_diff_ci_high"] < 0]["loss"].tolist()
        text = f"- {headline_dataset}, {weak} → {strong}: "
        text += (f"better than `{baseline}` with an interval clear of 0: {', '.join(f'`{x}`' for x in better)}" if better
                 else f"no method beats `{baseline}` with an interval clear of 0")
        text += f"; worse: {', '.join(f'`{x}`' for x in worse)}." if worse else "."
        out.append(text)
    if control is not None:
        c = summary[(summary["dataset"] == control)]
        n_gap = int((c["pgr_of_means_ci_status"].fillna("") == "").sum())
        out.append(f"- **{control}** (the negative control): {len(c) - n_gap} of {len(c)} cells have no gap clearly above 0 "
                   "(their PGR has no interval and is not a number to report).")
    return "\n".join(out)


def rating_margins_text(table: pd.DataFrame) -> str:
    """``benchmarks/rating_margins.py``'s rows: per rated-sentence set, the shares of labels the raters
    barely agree on; per pair set, the share of pairs the sign alone decides."""
    sentences = table[table["sentences"].notna()] if "sentences" in table else table.iloc[:0]
    pairs = table[table["pairs"].notna()] if "pairs" in table else table.iloc[:0]
    lines = ["| dataset | sentences | exactly neutral (dropped) | labelled | \\|mean\\| < 0.25 | \\|mean\\| < 0.5 "
             "| sign not significant (t-test, 5%) |", "|---|---|---|---|---|---|---|"]
    for _, r in sentences.iterrows():
        lines.append(f"| `{r['dataset']}` | {int(r['sentences']):,} | {100 * r['neutral_share']:.1f}% | {int(r['labelled']):,} "
                     f"| {100 * r['below_0.25_share']:.0f}% | {100 * r['below_0.5_share']:.0f}% "
                     f"| {100 * r['not_significant_share']:.0f}% |")
    if len(pairs):
        lines += ["", "| pair dataset | pairs (data_seed 0) | one positive and one negative sentence (the sign decides) |",
                  "|---|---|---|"]
        for _, r in pairs.iterrows():
            lines.append(f"| `{r['dataset']}` | {int(r['pairs']):,} | {int(r['opposite_sign_pairs']):,} "
                         f"({100 * r['opposite_sign_share']:.0f}%) |")
    return "\n".join(lines)


def rating_subsets_text(table: pd.DataFrame, pair: tuple[str, str], losses=("xent", "logconf")) -> str:
    """``benchmarks/rating_subsets.py``'s rows of one run holding a rated set twice, as it is and with
    ``min_abs_rating`` (its near-neutral share about 0): the headline pair's cells on each test subset,
    then the readings: how much of the filtered set's higher ceiling its test set alone gives (the
    unfiltered run's ``confident`` rows are the control), and whether the filter moves the PGR."""
    rows = table[(table["weak"] == pair[0]) & (table["strong"] == pair[1]) & table["loss"].isin(losses)
                 & (table["test_share"] >= 0.01) & ((table["subset"] == "all") | (table["test_share"] <= 0.99))]
    lines = subset_table(rows, "test sentences",
                         {"all": "all", "confident": "mean \\|rating\\| ≥ margin", "near_neutral": "near neutral"})
    shares = rows.groupby("dataset")["pool_near_neutral_share"].first()
    if len(shares) != 2 or shares.min() > 0.01:
        return "\n".join(lines)
    filtered, plain = shares.idxmin(), shares.idxmax()
    margin = float(rows["margin"].iloc[0])
    lines += ["", f"{pair[0]} → {pair[1]}; margin {margin:g}; `{filtered}` is `{plain}` with `min_abs_rating: {margin:g}`, so its "
              f"test set holds only sentences beyond the margin, and the control is `{plain}`'s cells on those sentences "
              "(trained with the near-neutral ones)."]
    for loss in losses:
        by = rows[rows["loss"] == loss].set_index(["dataset", "subset"])
        if not {(plain, "all"), (plain, "confident"), (filtered, "all")} <= set(by.index):
            continue
        whole, control, clean = by.loc[(plain, "all")], by.loc[(plain, "confident")], by.loc[(filtered, "all")]
        rise = clean["ceiling_acc_mean"] - whole["ceiling_acc_mean"]
        from_test = control["ceiling_acc_mean"] - whole["ceiling_acc_mean"]
        lines.append(f"- `{loss}`: the ceiling rises {num(100 * rise, 1)} points with the filter, {num(100 * from_test, 1)} of "
                     f"them with the test set alone (the control); PGR {num(clean['pgr_of_means'])} filtered against "
                     f"{num(control['pgr_of_means'])} for the control: {compare_pgr(clean, control, 'filtered', 'the control')}.")
    return "\n".join(lines)


def splice(readme: str, name: str, content: str) -> str:
    """``readme`` with the block between the markers of ``name`` replaced by ``content``."""
    pattern = re.compile(rf"(<!-- generated:{re.escape(name)} -->\n)(?:.*?\n)?(<!-- /generated:{re.escape(name)} -->)", re.S)
    if not pattern.search(readme):
        raise ValueError(f"README has no block <!-- generated:{name} --> ... <!-- /generated:{name} -->")
    return pattern.sub(lambda m: m.group(1) + content.rstrip("\n") + "\n" + m.group(2), readme, count=1)


def lengths_table(lengths: pd.DataFrame) -> str:
    """The dataset table of ``benchmarks/dataset_lengths.py``: source, what the task is, the
    balanced pool and its text lengths in tokens (or why they were not measured)."""
    tokenizer = lengths["tokenizer"].dropna().iloc[0] if "tokenizer" in lengths and lengths["tokenizer"].notna().any() else "?"
    lines = [f"| dataset | source | task (binarisation) | balanced pool | tokens p50 / p95 ({tokenizer}) | > 128 tokens |",
             "|---|---|---|---|---|---|"]
    for _, r in lengths.sort_values(["source", "dataset"]).iterrows():
        if r["status"] == "measured":
            numbers = f"{int(r['pool']):,} | {int(r['tokens_p50'])} / {int(r['tokens_p95'])} | {100 * r['over_128']:.1f}%"
        else:
            why = "no bigbench archive" if r["source"] == "bigbench" else "no hub access" if r["source"] == "hub" else r["status"]
            numbers = f"— | not measured here ({why}) | —"
        lines.append(f"| `{r['dataset']}` | {r['source']}: `{r['hub_id']}` | {r['description']} | {numbers} |")
    return "\n".join(lines)


def timing_text(rows: pd.DataFrame) -> str:
    """The quick start's measured times (``benchmarks/time_commands.py``): the latest row per command,
    leaving out the rows timed as a baseline (a before-measurement of an older commit) and failed runs."""
    first_seen = {command: k for k, command in enumerate(pd.unique(rows["command"]))}  # lines in a stable order
    baseline = rows.get("baseline", pd.Series(False, index=rows.index)).fillna(False).astype(bool)  # missing: not one
    failed = rows.get("rc", pd.Series(0, index=rows.index)).fillna(0) != 0  # a failed run times nothing worth quoting
    rows = rows[~(baseline | failed)]
    rows = rows.drop_duplicates("command", keep="last").sort_values("command", key=lambda c: c.map(first_seen), kind="stable")
    out = []
    for _, r in rows.iterrows():
        minutes, seconds = divmod(int(round(r["seconds"])), 60)
        out.append(f"- `{r['command']}` in a fresh clone: {minutes} min {seconds:02d} s on {r['machine']} ({r['date']}, commit "
                   f"{r['commit'][:7]}){'; ' + r['note'] if isinstance(r.get('note'), str) and r['note'] else ''}.")
    return "\n".join(out)


def hub_check_table(check: pd.DataFrame) -> str:
    """The table of ``python -m weak2strong.check_hub``: each hub dataset as loaded, or why it failed."""
    lines = ["| dataset | repository @ revision (config) | rows per split | examples (positive share) | balanced pool | commit | checked |",
             "|---|---|---|---|---|---|---|"]
    for _, r in check.sort_values("dataset").iterrows():
        where = f"`{r['hub_id']}` @ `{r['revision']}` ({r['config']})"
        if r["status"] == "ok":
            numbers = (f"{r['rows_per_split']} | {int(r['examples']):,} ({100 * r['positive_share']:.0f}% positive) | "
                       f"{int(r['balanced_pool']):,} | {r['commit']}")
        else:
            numbers = f"{str(r['status'])[:160].replace('|', '/')} | — | — | —"
        lines.append(f"| `{r['dataset']}` | {where} | {numbers} | {r['checked_at']} |")
    return "\n".join(lines)


def render(results: Path, headline_dataset: str, headline_pair: tuple[str, str], control: str | None,
           lengths: Path | None = None, only: list[str] | None = None, hub_check: Path | None = None,
           rows: Path | None = None, timings: Path | None = None, rating_margins: Path | None = None,
           rating_subsets: Path | None = None) -> dict[str, str]:
    """The blocks these results give (``only``: just those, which must be among them); ``rows``: the folder of
    benchmarks' committed rows that families' blocks read (benchmarks/results)."""
    blocks = _render(results, headline_dataset, headline_pair, control, lengths, only, hub_check, rows, timings,
                     rating_margins, rating_subsets)
    if only:
        missing = sorted(set(only) - set(blocks))
        if missing:
            raise SystemExit(f"{results}/metrics has nothing for the block(s) {missing}")
        blocks = {name: blocks[name] for name in only}
    return blocks


def _summary_blocks(results: Path, headline_dataset: str, headline_pair: tuple[str, str], control: str | None,
                    only: list[str] | None) -> dict[str, str]:
    """The blocks drawn from summary.csv and methods.csv."""
    summary = read_summary(results)
    methods = pd.read_csv(results / "metrics/methods.csv")
    trained = summary[summary["supervisor"] == "trained"]
    summary = trained[trained["task"] == "classification"]  # comparison datasets' cells: the reward_modelling family's block
    methods = methods[(methods["supervisor"] == "trained") & methods["dataset"].isin(summary["dataset"])]
    blocks = {}
    if not only or {"summary", "methods", "claims"} & set(only):
        blocks = {
            "summary": summary_table(summary, first=headline_dataset),
            "methods": (methods_markdown(methods, headline_dataset, headline_pair)
                        + f"\n\nWhat the table shows on {headline_dataset} (paired differences in student test accuracy):\n\n"
                        + methods_readings(methods, summary, headline_dataset)),
            "claims": claims(summary, methods, headline_dataset, control),
        }
    return blocks


def _render(results: Path, headline_dataset: str, headline_pair: tuple[str, str], control: str | None,
            lengths: Path | None = None, only: list[str] | None = None, hub_check: Path | None = None,
            rows: Path | None = None, timings: Path | None = None, rating_margins: Path | None = None,
            rating_subsets: Path | None = None) -> dict[str, str]:
    blocks = {}
    if (results / "metrics/summary.csv").exists():  # a run of one family alone has none
        blocks |= _summary_blocks(results, headline_dataset, headline_pair, control, only)
    if lengths is not None and lengths.exists():
        blocks["datasets"] = lengths_table(pd.read_csv(lengths))
    if hub_check is not None and hub_check.exists():  # python -m weak2strong.check_hub, on a connected machine
        blocks["hub_check"] = hub_check_table(pd.read_csv(hub_check))
    for tables in FAMILY_TABLES:  # each family's blocks (its tables.py), from the results or from benchmark rows
        blocks |= tables.blocks(results, rows, headline_dataset, headline_pair)
    if rating_margins is not None and rating_margins.exists():  # benchmarks/rating_margins.py
        blocks["rating_margins"] = rating_margins_text(pd.read_csv(rating_margins))
    if rating_subsets is not None and rating_subsets.exists():  # benchmarks/rating_subsets.py
        blocks["rating_subsets"] = rating_subsets_text(pd.read_csv(rating_subsets, keep_default_na=True), headline_pair)
    if timings is not None and timings.exists():  # benchmarks/time_commands.py
        blocks["timing"] = timing_text(pd.read_json(timings, lines=True, dtype=False))
    return blocks


def write_blocks(paths: list[Path], blocks: dict[str, str]) -> dict[str, list[str]]:
    """Splice every block into each file that has its markers (the README holds the headline, the
    results page the rest); a block no file has a place for is an error. Returns file -> blocks."""
    texts = {p: p.read_text() for p in paths}
    written: dict[str, list[str]] = {str(p): [] for p in paths}
    homeless = []
    for name, content in blocks.items():
        homes = [p for p, t in texts.items() if f"<!-- generated:{name} -->" in t]
        if not homes:
            homeless.append(name)
        for p in homes:
            texts[p] = splice(texts[p], name, content)
            written[str(p)].append(name)
    if homeless:
        raise SystemExit(f"no file of {[str(p) for p in paths]} has a place for the block(s) {homeless} "
                         "(<!-- generated:NAME --> ... <!-- /generated:NAME -->)")
    for p, text in texts.items():
        p.write_text(text)
    return written


# Blocks drawn from a run's results/metrics (the others come from committed benchmark rows). Each
# such block's tables are kept beside the docs (``SNAPSHOTS``), so a test can render every block again
# from the very tables it was written from and fail when the docs say something those tables do not.
RESULTS_BLOCKS = ("summary", "methods", "claims",
                  *(name for tables in FAMILY_TABLES for name in tables.results_blocks))
METRIC_FILES = tuple(dict.fromkeys(("summary.csv", "methods.csv",
                                    *(f for tables in FAMILY_TABLES for f in tables.metric_files))))
SNAPSHOTS = Path("docs/tables")


def snapshot(results: Path, names: list[str], options: dict, root: Path = SNAPSHOTS) -> None:
    """Copy the metric tables that ``names`` (results blocks just written) were rendered from into
    ``root/<hash of their contents>/metrics/`` and record, per block, that folder and the options it was
    rendered with (``root/blocks.json``); folders no block refers to any more are removed."""
    import hashlib
    import json
    import shutil

    names = [n for n in names if n in RESULTS_BLOCKS]
    index_path = root / "blocks.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    if names:
        files = [results / "metrics" / f for f in METRIC_FILES if (results / "metrics" / f).exists()]
        digest = hashlib.sha256(b"".join(f.name.encode() + f.read_bytes() for f in files)).hexdigest()[:12]
        folder = root / digest / "metrics"
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            if f.resolve() != (folder / f.name).resolve():  # rendered from a kept table itself: nothing to copy
                shutil.copyfile(f, folder / f.name)
        for name in names:
            index[name] = {"results": str(root / digest), **options}
    root.mkdir(parents=True, exist_ok=True)
    index_path.write_text(json.dumps(dict(sorted(index.items())), indent=1) + "\n")
    used = {Path(entry["results"]).name for entry in index.values()}
    for folder in root.iterdir():
        if folder.is_dir() and folder.name not in used:
            shutil.rmtree(folder)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default="results")
    ap.add_argument("--docs", nargs="+", default=["README.md", "docs/results.md", "docs/datasets.md"],
                    help="the files whose generated blocks are rewritten")
    ap.add_argument("--dataset", default="movie_sentiment", help="the headline dataset")
    ap.add_argument("--pair", nargs=2, default=["minilm_l1", "mpnet"], help="the headline weak and strong model")
    ap.add_argument("--control", default="", help="a negative-control dataset, whose cells should have no gap ('' for none)")
    ap.add_argument("--lengths", default="benchmarks/out/dataset_lengths.csv", help="benchmarks/dataset_lengths.py's table")
    ap.add_argument("--hub-check", default="benchmarks/out/hub_check.csv", help="python -m weak2strong.check_hub's table")
    ap.add_argument("--rows", default="benchmarks/results", help="the benchmarks' committed rows that families' blocks read")
    ap.add_argument("--timings", default="benchmarks/results/timings.jsonl", help="benchmarks/time_commands.py's rows")
    ap.add_argument("--rating-margins", default="benchmarks/results/rating_margins.csv", help="benchmarks/rating_margins.py's rows")
    ap.add_argument("--rating-subsets", default="benchmarks/results/rating_subsets.csv", help="benchmarks/rating_subsets.py's rows")
    ap.add_argument("--blocks", nargs="+", help="write only these blocks (those another run's results give)")
    args = ap.parse_args(argv)
    blocks = render(Path(args.results), args.dataset, tuple(args.pair), args.control or None, Path(args.lengths), args.blocks,
                    Path(args.hub_check), Path(args.rows), Path(args.timings), Path(args.rating_margins),
                    Path(args.rating_subsets))
    for path, names in write_blocks([Path(p) for p in args.docs], blocks).items():
        print(f"updated {path} from {args.results}/metrics: {', '.join(names) or 'nothing'}")
    snapshot(Path(args.results), list(blocks), {"dataset": args.dataset, "pair": list(args.pair), "control": args.control})


if __name__ == "__main__":
    main()

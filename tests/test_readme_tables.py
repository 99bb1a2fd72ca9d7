"""The README's tables and claims are rendered from the results, never typed."""

from pathlib import Path

import pandas as pd
import pytest

from weak2strong.metrics import methods_table, summarize
from weak2strong.readme_tables import claims, methods_markdown, splice
from weak2strong.table_text import interval, summary_table

from test_metrics import _per_seed


def _tables():
    rows = []
    for loss, bump in (("xent", 0.0), ("logconf", 0.02)):
        ps = _per_seed([0.75 + bump, 0.76 + bump, 0.74 + bump], [0.70, 0.71, 0.69], [0.80, 0.80, 0.81]).assign(loss=loss)
        rows.append(ps.assign(weak_confidence=0.4, weak_positive_rate=0.5, kept_fraction=float("nan"), degenerate=False,
                              weak_degenerate=False, few_labels_kept=False))
    no_gap = _per_seed([0.6, 0.61, 0.6], [0.6, 0.62, 0.6], [0.61, 0.61, 0.6]).assign(dataset="control")
    rows.append(no_gap.assign(weak_confidence=0.3, weak_positive_rate=0.5, kept_fraction=float("nan"), degenerate=False,
                              weak_degenerate=False, few_labels_kept=False))
    per_seed = pd.concat(rows, ignore_index=True)
    return summarize(per_seed), methods_table(per_seed)


def test_intervals_print_their_seed_count_or_why_there_is_none():
    assert interval(0.4213, 0.31, 0.53, 10) == "0.42 [0.31, 0.53] (n=10)"
    assert interval(0.33, float("nan"), float("nan"), 5, "gap not significant") == "0.33 (no CI: gap not significant; n=5)"
    assert interval(float("nan"), float("nan"), float("nan"), 5, "no gap") == "undefined (no gap)"
    assert interval(-1.5, -2.0, -1.0, 3, digits=1, signed=True) == "−1.5 [−2.0, −1.0] (n=3)"


def test_summary_table_rows_carry_the_numbers_of_the_summary():
    summary, _ = _tables()
    table = summary_table(summary)
    row = summary[(summary["dataset"] == "d") & (summary["loss"] == "xent")].iloc[0]
    expected = f"{row['pgr_of_means']:.2f} [{row['pgr_of_means_ci_low']:.2f}, {row['pgr_of_means_ci_high']:.2f}] (n=3)"
    assert expected.replace("-", "−") in table
    control = next(line for line in table.splitlines() if line.startswith("| control |"))
    assert "undefined" in control or "no CI" in control


def test_claims_count_what_the_tables_show():
    summary, methods = _tables()
    text = claims(summary, methods, "d", "control")
    gap = 100 * summary.loc[(summary["dataset"] == "d") & (summary["loss"] == "xent"), "gap_mean"].iloc[0]
    assert f"{gap:.1f} to {gap:.1f} points above the weak model" in text
    assert "better than `xent` with an interval clear of 0: `logconf`" in text  # +2 points on every seed
    assert "1 of 1 cells have no gap clearly above 0" in text
    assert "`logconf` |" in methods_markdown(methods, "d", ("w", "s"))


def test_splice_replaces_only_the_named_block():
    readme = "intro\n<!-- generated:a -->\nold a\n<!-- /generated:a -->\nmiddle\n<!-- generated:b -->\nold b\n<!-- /generated:b -->\n"
    out = splice(readme, "a", "new a\nline 2")
    assert out == readme.replace("old a", "new a\nline 2")
    with pytest.raises(ValueError, match="generated:c"):
        splice(readme, "c", "x")


def test_every_block_the_tables_write_has_its_place_in_the_docs():
    """The README holds the headline and the quick start's times; the results page every other table;
    the datasets page the dataset tables (``make readme`` fails on a block with no place)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    places = {"README.md": ("timing", "summary", "claims", "chess_signal_claim"),
              "docs/results.md": ("methods", "easy_to_hard", "difficulty_rating", "rating_subsets", "simulated", "vision", "reward",
                                  "reward_polarity", "prompting", "chess_signal"),
              "docs/datasets.md": ("datasets", "hub_check", "rating_margins")}
    for doc, names in places.items():
        text = (root / doc).read_text()
        for name in names:
            assert f"<!-- generated:{name} -->" in text and f"<!-- /generated:{name} -->" in text, (doc, name)


def test_easy_to_hard_rows_carry_both_label_sources_on_both_test_sets_and_mark_how_each_set_was_chosen():
    """The ground-truth student's whole-test accuracy stands beside its hard-test one (a student
    trained on the hard rows scores well on the hard test rows by selection alone), the hard set is
    marked as chosen by the test set's rule, and the size note follows the table's sizes."""
    from weak2strong.families.easy_to_hard.tables import easy_to_hard_table
    from weak2strong.training_sets import summarize as summarize_e2h

    def rows(sizes):
        return [{"dataset": "d", "train_set": t, "labels": lab, "seed": s, "n_train": n, "n_test_hard": 50,
                 "hard_test_pos_frac": 0.3, "hard_test_acc": acc + 0.01 * s, "hard_test_bal_acc": acc - 0.1 + 0.01 * s,
                 "full_test_acc": full + 0.01 * s, "weak_hard_test_acc": 0.4, "weak_hard_test_bal_acc": 0.35,
                 "weak_full_test_acc": 0.75}
                for t, n in sizes for lab, acc, full in (("ground_truth", 0.7, 0.55), ("weak", 0.6, 0.8)) for s in range(3)]

    table = easy_to_hard_table(summarize_e2h(pd.DataFrame(rows((("minilm_l1", 300), ("all", 300), ("hard", 300))))))
    lines = table.splitlines()
    # ground-truth-selected sets marked; the hard set's size and class share; balanced and whole-test accuracies
    assert lines[2].startswith("| d | easy ≤ minilm_l1 † | 300 | 50, 0.30 | 0.610 [") and "(n=3)" in lines[2]
    assert lines[2].endswith("| 0.350 / 0.750 |")
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells[5].startswith("0.560 [") and cells[6].startswith("0.510 [") and cells[7].startswith("0.810 [")
    assert lines[3].startswith("| d | all | 300 | 50, 0.30 | 0.610 [")
    assert lines[4].startswith("| d | hard ‡ | 300 |")
    assert "† trained on the rows of train_b that ground-truth difficulty selects" in table
    assert "‡ train and test chosen by the same failure rule" in table
    assert "subsampled to one size" in table
    uneven = easy_to_hard_table(summarize_e2h(pd.DataFrame(rows((("minilm_l1", 300), ("all", 1500))))))
    assert "subsampled to one size" not in uneven and "size alone can rank them" in uneven


def test_simulated_table_puts_matched_supervisors_together_headline_first():
    from weak2strong.families.simulated.tables import simulated_table

    rows = []
    for dataset in ("control", "d"):
        for weak, kind, acc in (("random_noise_k64", "random_noise", 0.8), ("feature_subset_k4", "feature_subset", 0.6),
                                ("feature_subset_k64", "feature_subset", 0.8), ("random_noise_k4", "random_noise", 0.6)):
            ps = _per_seed([acc + 0.05] * 3, [acc] * 3, [0.9] * 3).assign(dataset=dataset, weak=weak, supervisor=kind)
            rows.append(ps.assign(weak_confidence=0.4, degenerate=False))
    table = simulated_table(summarize(pd.concat(rows, ignore_index=True)), first="d").splitlines()[2:]
    order = [(line.split(" | ")[0].strip("| "), line.split(" | ")[2]) for line in table]
    assert order[:4] == [("d", "feature_subset_k4"), ("d", "random_noise_k4"), ("d", "feature_subset_k64"), ("d", "random_noise_k64")]
    assert order[4][0] == "control" and "0.600 | 0.650 | 0.900 | 0.17 [0.17, 0.17] (n=3)" in table[0]


def test_dataset_table_gives_lengths_or_why_not():
    from weak2strong.readme_tables import lengths_table

    lengths = pd.DataFrame([
        {"dataset": "fever", "source": "bigbench", "hub_id": "fact_checker/fever", "description": "claims", "pool": 6518, "groups": 6518,
         "tokens_p50": 32, "tokens_p95": 39, "over_128": 0.0, "over_512": 0.0, "tokenizer": "minilm-l6", "status": "measured"},
        {"dataset": "boolq", "source": "hub", "hub_id": "google/boolq", "description": "passages", "tokenizer": "minilm-l6",
         "status": "not measured: DatasetError"}])
    lines = lengths_table(lengths).splitlines()
    assert "(minilm-l6)" in lines[0]
    assert lines[2] == "| `fever` | bigbench: `fact_checker/fever` | claims | 6,518 | 32 / 39 | 0.0% |"
    assert "not measured here (no hub access)" in lines[3]


def test_hub_check_table_gives_each_dataset_as_loaded_or_its_failure(tmp_path):
    from weak2strong.check_hub import COLUMNS
    from weak2strong.readme_tables import hub_check_table

    rows = [{"dataset": "wic", "hub_id": "aps/super_glue", "revision": "main", "config": "wic", "status": "ok",
             "rows_per_split": "train 5,428; validation 638", "examples": 6066, "positive_share": 0.5, "balanced_pool": 6066,
             "commit": "commit abc", "checked_at": "2026-12-04"},
            {"dataset": "dream", "hub_id": "dataset-org/dream", "revision": "refs/convert/parquet", "config": "default",
             "status": "failed: DatasetError: no such | revision", "checked_at": "2026-12-04"}]
    table = hub_check_table(pd.DataFrame(rows, columns=COLUMNS))
    lines = table.splitlines()
    assert len(lines) == 4 and lines[2].startswith("| `dream` |") and "failed: DatasetError: no such / revision" in lines[2]
    assert "| train 5,428; validation 638 | 6,066 (50% positive) | 6,066 | commit abc |" in lines[3]


def test_each_block_goes_to_the_file_that_has_its_place_and_a_homeless_block_is_an_error(tmp_path):
    from weak2strong.readme_tables import write_blocks

    readme, results = tmp_path / "README.md", tmp_path / "results.md"
    readme.write_text("top\n<!-- generated:summary -->\nold\n<!-- /generated:summary -->\n")
    results.write_text("<!-- generated:methods -->\n<!-- /generated:methods -->\nend\n")
    written = write_blocks([readme, results], {"summary": "| new |", "methods": "| m |"})
    assert written == {str(readme): ["summary"], str(results): ["methods"]}
    assert "| new |" in readme.read_text() and "old" not in readme.read_text() and "| m |" in results.read_text()
    with pytest.raises(SystemExit, match="place for the block"):
        write_blocks([readme, results], {"vision": "x"})


def test_chess_signal_and_timing_blocks_come_from_their_rows():
    from weak2strong.families.chess.tables import chess_signal_table
    from weak2strong.readme_tables import timing_text

    rows = pd.DataFrame([{"model": "m", "prompt": p, "mode": mode, "trained_on": 0, "regime": "zero-shot", "band": band, "n": n,
                          "exact_match": acc, "exact_match_se": 0.01, "legal": 0.5, "random_legal_move": 0.06}
                         for p in ("fen", "pgn") for mode in ("greedy", "rank (sum)")
                         for band, n, acc in (("400-799", 30, 0.1), ("all", 180, 0.07))])
    table = chess_signal_table(rows).splitlines()
    assert table[0] == "| model | training | prompt | mode | Elo 400-799 | Elo all |" and len(table) == 2 + 4 + 2
    assert table[2] == ("| m | zero-shot | fen | greedy | 0.100 ± 0.010 (random 0.060; legal 0.50) "
                        "| 0.070 ± 0.010 (random 0.060; legal 0.50) |")
    assert "legal" not in table[3].split("|", 5)[5] and "180 test puzzles" in table[-1]
    assert "lora on 300 puzzles" in chess_signal_table(rows.assign(trained_on=300, regime="lora"))
    timing = pd.DataFrame([{"command": "make run", "seconds": 700.0, "machine": "old", "date": "2026-12-04", "commit": "a" * 40,
                            "note": ""},
                           {"command": "make run", "seconds": 725.4, "machine": "Xeon, 2 cores", "date": "2026-12-05",
                            "commit": "b" * 40, "note": "alone"},
                           {"command": "make run", "seconds": 900.0, "machine": "Xeon, 2 cores", "date": "2026-12-06",
                            "commit": "a" * 40, "note": "the before of a comparison", "baseline": True},
                           {"command": "make run", "seconds": 30.0, "rc": 2, "machine": "Xeon, 2 cores", "date": "2026-12-06",
                            "commit": "c" * 40, "note": "it failed"}])
    # the latest row, leaving out a baseline timed later (an older commit's before-measurement) and a failed run
    assert timing_text(timing) == "- `make run` in a fresh clone: 12 min 05 s on Xeon, 2 cores (2026-12-05, commit bbbbbbb); alone."
    assert timing_text(timing.iloc[[1]].drop(columns=["baseline", "rc"])) == timing_text(timing)  # rows written before either field


def test_a_run_of_one_family_alone_renders_its_block_without_a_summary(tmp_path):
    """`snakemake ... results/figures/vision.png` runs the vision family alone: no summary.csv, and
    the vision block still renders from vision.csv."""
    from weak2strong.readme_tables import _render

    (tmp_path / "metrics").mkdir()
    row = {"weak": "pixels", "strong": "kmeans_64", "loss": "logconf", "n_views": 2, "variant": "views_equal_steps", "n_seeds": 10,
           "flag": ""}
    for m, v in (("weak_acc", 0.778), ("ceiling_acc", 0.965), ("student_acc", 0.908), ("train_b_fit", 0.85)):
        row |= {f"{m}_mean": v, f"{m}_ci_low": v - 0.01, f"{m}_ci_high": v + 0.01, f"{m}_n": 10}
    row |= {"pgr_of_means": 0.69, "pgr_of_means_ci_low": 0.53, "pgr_of_means_ci_high": 0.85, "pgr_of_means_ci_status": "ok"}
    pd.DataFrame([row]).to_csv(tmp_path / "metrics/vision.csv", index=False)
    blocks = _render(tmp_path, "d", ("w", "s"), None)
    assert list(blocks) == ["vision"]
    row = "| pixels → kmeans_64 | logconf | + 2 views, equal steps | 0.778 | 0.965 | 0.908 [0.898, 0.918] (n=10) | 0.850 |"
    assert row in blocks["vision"]


def test_reward_polarity_rows_give_each_subset_of_pairs_its_share_and_pgr_and_state_the_pools_share():
    from weak2strong.families.reward_modelling.tables import reward_polarity_table

    rows = [{"dataset": d, "weak": "w", "strong": s, "loss": loss, "pool_pairs": 3559, "pool_opposite_share": share,
             "subset": subset, "n_seeds": 5, "n_test_mean": 800 * frac, "test_share": frac, "weak_acc_mean": 0.7,
             "ceiling_acc_mean": 0.8, "student_acc_mean": 0.75, "pgr_of_means": pgr, "pgr_of_means_ci_low": pgr - 0.1,
             "pgr_of_means_ci_high": pgr + 0.1, "pgr_of_means_ci_status": ""}
            for d, share in (("movie_pairs", 0.741), ("movie_pairs_same_sign", 0.0)) for s in ("big", "other")
            for loss in ("xent", "kl") for subset, frac, pgr in (("all", 1.0, 0.35), ("same_sign", 0.26, 0.2))]
    table = reward_polarity_table(pd.DataFrame(rows), ("w", "big"))
    lines = table.splitlines()
    assert len(lines) == 2 + 4 + 2  # header, two datasets x one loss (xent) x two subsets, the note
    assert lines[3] == "| movie_pairs | xent | same sign | 0.26 | 0.700 | 0.800 | 0.750 | 0.20 [0.10, 0.30] (n=5) |"
    assert "74% of `movie_pairs`'s pool of 3,559 pairs" in lines[-1] and "0% of `movie_pairs_same_sign`" in lines[-1]


def test_the_difficulty_reading_calls_a_dataset_near_neutral_only_when_its_hardest_ratings_are():
    """"Hard means ambiguous to people" held for one dataset (mean |rating| 0.34) and was written for
    both (the other 1.20): the sentence is now chosen per dataset by its numbers."""
    from weak2strong.families.easy_to_hard.tables import difficulty_rating_text

    rows = [{"dataset": d, "difficulty": level, "rank": k, "n": 100, "mean_abs_rating": m, "median_abs_rating": m}
            for d, means in (("movies", (1.9, 1.2)), ("nyt", (0.8, 0.34)))
            for k, (level, m) in enumerate(zip(("small", "unsolved"), means))]
    text = difficulty_rating_text(pd.DataFrame(rows))
    movies, nyt = [line for line in text.splitlines() if line.startswith("- ")]
    assert movies.startswith("- `movies`: the unsolved examples have a mean |rating| of 1.20") and "not close to neutral" in movies
    assert "not mostly ones the raters barely agree on" in movies
    assert nyt.startswith("- `nyt`:") and "close to neutral" in nyt and "not close" not in nyt


def test_easy_to_hard_readings_state_a_direction_only_where_the_interval_is_clear_of_its_reference():
    from weak2strong.families.easy_to_hard.tables import easy_to_hard_readings
    from weak2strong.training_sets import summarize as summarize_e2h

    def readings(hard_full, weak_hard):
        rows = [{"dataset": "d", "train_set": t, "labels": lab, "seed": s, "n_train": 200, "n_test_hard": 50,
                 "hard_test_pos_frac": 0.5, "hard_test_acc": 0.5,
                 "hard_test_bal_acc": (0.7 if t == "hard" else 0.52 if lab == "ground_truth" else weak_hard) + 0.02 * (s - 2),
                 "full_test_acc": (hard_full if t == "hard" else 0.8) + 0.01 * (s - 2),
                 "weak_hard_test_acc": 0.2, "weak_hard_test_bal_acc": 0.2, "weak_full_test_acc": 0.73}
                for t in ("m1", "all", "hard") for lab in ("ground_truth", "weak") for s in range(5)]
        return easy_to_hard_readings(summarize_e2h(pd.DataFrame(rows))).splitlines()

    hard, easy, weak = readings(hard_full=0.6, weak_hard=0.4)
    assert "the highest hard-test score of its column" in hard and "below the weak model's 0.730" in hard
    assert "every interval overlapping that one" in easy
    assert "above the weak model's 0.730" in weak and "below chance" in weak
    hard, _, weak = readings(hard_full=0.731, weak_hard=0.5)
    assert "level with the weak model's 0.730" in hard and "at chance" in weak


def test_the_rating_filter_reading_separates_the_test_sets_share_of_the_ceilings_rise_from_the_filters():
    from weak2strong.readme_tables import rating_subsets_text

    def row(dataset, subset, share, weak, ceiling, pgr, near):
        return {"dataset": dataset, "weak": "w", "strong": "s", "loss": "xent", "margin": 0.25, "pool_near_neutral_share": near,
                "subset": subset, "n_seeds": 10, "n_test_mean": 1000 * share, "test_share": share, "weak_acc_mean": weak,
                "ceiling_acc_mean": ceiling, "student_acc_mean": weak + pgr * (ceiling - weak), "pgr_of_means": pgr,
                "pgr_of_means_ci_low": pgr - 0.05, "pgr_of_means_ci_high": pgr + 0.05, "pgr_of_means_ci_status": ""}

    table = pd.DataFrame([row("plain", "all", 1.0, 0.68, 0.80, 0.13, 0.22), row("plain", "confident", 0.78, 0.71, 0.85, 0.12, 0.22),
                          row("plain", "near_neutral", 0.22, 0.59, 0.63, 0.3, 0.22), row("clean", "all", 1.0, 0.72, 0.86, 0.30, 0.0),
                          row("clean", "confident", 0.999, 0.72, 0.86, 0.30, 0.0)])
    text = rating_subsets_text(table, ("w", "s"))
    assert "| clean | xent | mean \\|rating\\| ≥ margin |" not in text  # the whole set again: no row of its own
    (reading,) = [line for line in text.splitlines() if line.startswith("- `xent`")]
    assert "rises 6.0 points with the filter, 5.0 of them with the test set alone" in reading
    assert "PGR 0.30 filtered against 0.12 for the control: filtered higher, the intervals apart" in reading


def _doc_blocks() -> dict[str, str]:
    """Every generated block of the docs, by name: its text between the markers."""
    import re

    from workflow_helpers import REPO

    blocks = {}
    for doc in ("README.md", "docs/results.md", "docs/datasets.md"):
        for m in re.finditer(r"<!-- generated:(\w+) -->\n(.*?)<!-- /generated:\1 -->", (REPO / doc).read_text(), re.S):
            blocks[m.group(1)] = m.group(2).rstrip("\n")
    return blocks


# Results blocks not yet held to kept tables (none: every results block in the docs has its tables).
WITHOUT_SNAPSHOT: set[str] = set()


def test_every_generated_block_in_the_docs_is_what_its_tables_give_today():
    """A finding in the docs is a sentence rendered from a table with its condition; rendered again
    from the same table (the run's metrics kept in docs/tables, the benchmarks' committed rows) it must
    read the same, so a changed rule, table or hand edit that the docs no longer match fails here."""
    import json
    import os

    from weak2strong import readme_tables

    from workflow_helpers import REPO

    docs = _doc_blocks()
    index = json.loads((REPO / "docs/tables/blocks.json").read_text())
    cwd = os.getcwd()
    os.chdir(REPO)  # the index and the benchmark rows are paths relative to the repository
    try:
        checked = set()
        for name, entry in index.items():
            rendered = readme_tables.render(Path(entry["results"]), entry["dataset"], tuple(entry["pair"]),
                                            entry["control"] or None, only=[name])
            assert rendered[name].rstrip("\n") == docs[name], f"{name}: the docs differ from {entry['results']}"
            checked.add(name)
        benchmark_rows = readme_tables._render(Path("no-results"), "movie_sentiment", ("minilm_l1", "mpnet"), None,
                                               rows=Path("benchmarks/results"),
                                               timings=Path("benchmarks/results/timings.jsonl"),
                                               rating_margins=Path("benchmarks/results/rating_margins.csv"),
                                               rating_subsets=Path("benchmarks/results/rating_subsets.csv"))
        for name, text in benchmark_rows.items():
            assert text.rstrip("\n") == docs[name], f"{name}: the docs differ from the benchmarks' committed rows"
            checked.add(name)
        sources = {"chess_signal": "chess_signal.jsonl", "chess_signal_claim": "chess_signal.jsonl", "timing": "timings.jsonl",
                   "reward_polarity": "pair_polarity.csv", "difficulty_rating": "difficulty_vs_rating.csv",
                   "rating_margins": "rating_margins.csv", "rating_subsets": "rating_subsets.csv"}
        lost = [f"{name} ({source})" for name, source in sources.items() if name in docs and name not in checked]
        assert not lost, f"blocks in the docs whose rows are not in benchmarks/results/: {lost}"
    finally:
        os.chdir(cwd)
    unchecked = set(readme_tables.RESULTS_BLOCKS) & set(docs) - checked - WITHOUT_SNAPSHOT
    assert not unchecked, f"results blocks in the docs with no kept tables: {sorted(unchecked)} (run make readme)"


def test_vision_readings_tell_memorisation_from_a_learnt_function_and_compare_views_at_equal_steps():
    from weak2strong.families.vision.tables import vision_readings

    def row(variant, fit, agree, wrong, pgr, width=0.03):
        return {"weak": "w", "strong": "s", "loss": "xent", "variant": variant, "train_b_fit_mean": fit, "agreement_mean": agree,
                "agreement_weak_wrong_mean": wrong, "pgr_of_means": pgr, "pgr_of_means_ci_low": pgr - width,
                "pgr_of_means_ci_high": pgr + width, "pgr_of_means_ci_status": ""}

    table = pd.DataFrame([row("plain", 0.96, 0.94, 0.8, 0.01), row("regularised", 0.95, 0.93, 0.79, 0.0),
                          row("views", 0.9, 0.88, 0.6, 0.12), row("views_equal_steps", 0.88, 0.87, 0.55, 0.19)])
    (text,) = vision_readings(table).splitlines()
    assert "no memorisation gap" in text and "the weak model's errors included" in text
    assert "early stopping on held-out weak labels: PGR 0.00 against 0.01, the intervals overlap (no claim)" in text
    assert "(equal steps higher, the intervals apart)" in text and "(views higher, the intervals apart)" in text
    table.loc[0, "train_b_fit_mean"] = 0.99
    table.loc[0, "agreement_mean"] = 0.80
    assert "a gap of 0.19: part of its fit is memorised" in vision_readings(table)


def test_the_chess_claim_reads_each_score_against_its_control_and_asks_for_a_weak_rung_above_chance():
    """Greedy and the calibrated ranking are read against a random legal move; the length-biased
    rankings against the longest legal SAN, which needs no model (puzzle solutions are often captures
    with check); and a larger fine-tuned decoder that leads the smaller is a ladder only when the
    smaller, the weak supervisor, is itself above chance."""
    from weak2strong.families.chess.tables import NO_MODEL, chess_signal_claim

    def row(model, mode, acc, trained=0, regime="zero-shot"):
        return {"model": model, "prompt": "pgn", "mode": mode, "trained_on": trained, "regime": regime, "band": "all", "n": 180,
                "exact_match": acc, "exact_match_se": 0.02, "legal": 1.0, "random_legal_move": 0.06}

    rows = pd.DataFrame([row("big", "greedy", 0.03), row("big", "rank (mean)", 0.35, 300, "lora"),
                         row("big", "rank (calibrated)", 0.156, 300, "lora"), row("small", "rank (calibrated)", 0.033, 300, "lora"),
                         row(NO_MODEL, "longest SAN", 0.356, regime="no model")])
    claim = chess_signal_claim(rows)
    assert "Greedy, the paper's metric: no decoder is clearly above chance" in claim
    assert "clearly above chance: big (lora on 300 puzzles) 15.6%" in claim
    assert "fine-tuned, big leads small (15.6% against 3.3%), and small is not clearly above chance: no weak supervisor" in claim
    assert "at 35.0%, not clearly above the 35.6% of the longest legal move in SAN" in claim
    ladder = chess_signal_claim(rows.assign(exact_match=[0.03, 0.35, 0.3, 0.15, 0.356]))
    assert "and small is above chance, so the two make a ladder" in ladder
    level = chess_signal_claim(rows.assign(exact_match=[0.03, 0.35, 0.10, 0.08, 0.356]))
    assert "big is level with small (10.0% against 8.0%, within two standard errors)" in level
    beyond = chess_signal_claim(rows.assign(exact_match=[0.03, 0.6, 0.156, 0.033, 0.356]))
    assert "at 60.0%, clearly above the 35.6%" in beyond


def test_methods_readings_name_the_methods_whose_paired_interval_clears_zero_per_pair():
    from weak2strong.readme_tables import methods_readings

    def row(weak, loss, diff, low, high):
        return {"dataset": "d", "weak": weak, "strong": "s", "loss": loss, "student_acc_diff_vs_xent": diff,
                "student_acc_diff_ci_low": low, "student_acc_diff_ci_high": high}

    methods = pd.DataFrame([row("w1", "logconf", 0.03, 0.01, 0.05), row("w1", "kl", 0.0, 0.0, 0.0),
                            row("w1", "product", -0.02, -0.03, -0.01), row("w2", "logconf", 0.004, -0.002, 0.01)])
    summary = pd.DataFrame([{"dataset": "d", "weak": w, "strong": "s", "loss": "xent", "gap_mean": g}
                            for w, g in (("w1", 0.12), ("w2", 0.02))])
    first, second = methods_readings(methods, summary, "d").splitlines()
    assert first == "- w1 → s (gap 12.0 points): `logconf` gains 3.0 points over `xent`, each interval above 0; below `xent`: `product`."
    assert second == "- w2 → s (gap 2.0 points): no method's interval is above 0 (the largest mean difference is 0.4 points)."


def test_a_block_rendered_again_from_its_kept_tables_keeps_them(tmp_path):
    """`make readme --results docs/tables/<hash>` (rendering a block again from the tables it was
    written from) copied each table onto itself and crashed (SameFileError)."""
    import json

    from weak2strong.readme_tables import snapshot

    run = tmp_path / "run"
    (run / "metrics").mkdir(parents=True)
    (run / "metrics/summary.csv").write_text("dataset\nd\n")
    root = tmp_path / "tables"
    snapshot(run, ["summary", "timing"], {"dataset": "d"}, root=root)
    kept = Path(json.loads((root / "blocks.json").read_text())["summary"]["results"])
    assert (kept / "metrics/summary.csv").read_text() == "dataset\nd\n"
    assert "timing" not in json.loads((root / "blocks.json").read_text())  # benchmark blocks keep their own rows
    snapshot(kept, ["summary"], {"dataset": "d"}, root=root)  # from the kept copy itself
    assert (kept / "metrics/summary.csv").read_text() == "dataset\nd\n" and len(list(root.iterdir())) == 2

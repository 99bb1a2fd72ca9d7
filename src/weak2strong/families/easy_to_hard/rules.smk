# Easy-to-hard generalization (steps.py beside this file; its plan: plan.py): each example's difficulty (the
# smallest model of the ladder that gets it right in every seed, from cross-fitted probes); then,
# per training set (each easy cutoff, all, hard) and seed, a split file with the difficulty column
# and the student trained on it with ground truth and with weak labels, scored on the hard test
# examples. Every set of a seed has one size: with `train_size: smallest` (the default) the
# smallest set's, so a changed cutoff reruns every set; with a fixed size only that cutoff's jobs.

E2H = PLAN.families.get("easy_to_hard")  # plan.EasyToHardPlan; None without an easy_to_hard block


if E2H:

    rule difficulty:
        input:
            examples="results/data/{dataset}/examples.parquet",
            features=lambda wc: [PLAN.features_file(wc.dataset, m) for m in E2H.ladder],
        output:
            "results/difficulty/{dataset}.parquet",
        log:
            "logs/difficulty/{dataset}.log",
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            ladder=E2H.ladder,
            seeds=E2H.difficulty_seeds,
            folds=E2H.folds,
            regimes=lambda wc: {m: PLAN.train_options(m) for m in E2H.ladder},
            code=script_code("difficulty", per_loss=True, family="easy_to_hard"),
            loss_code=LOSS_CODE["xent"],
        script:
            "scripts/difficulty.py"

    rule easy_to_hard:
        input:
            splits=lambda wc: [f"results/data/{wc.dataset}/splits/seed{s}.parquet" for s in PLAN.seeds],
            difficulty="results/difficulty/{dataset}.parquet",
            labels=lambda wc: f"results/labels/{REGIME}/{wc.dataset}/{E2H.weak}.parquet",
            features=lambda wc: PLAN.features_file(wc.dataset, E2H.strong),
        output:
            splits=[f"results/easy_to_hard/{{dataset}}/splits/{{train_set}}/seed{s}.parquet" for s in PLAN.seeds],
            table="results/easy_to_hard/{dataset}/{train_set}.parquet",
        log:
            "logs/easy_to_hard/{dataset}/{train_set}.log",
        wildcard_constraints:
            train_set=one_of(E2H.train_sets),
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            seeds=PLAN.seeds,
            cutoff_rank=lambda wc: E2H.cutoff_rank.get(wc.train_set),
            hard_floor=E2H.hard_floor,
            train_sets=E2H.common_size_sets(),
            train_size=E2H.train_size,
            strong=E2H.strong,
            weak=E2H.weak,
            regime=PLAN.train_options(E2H.strong),
            code=script_code("easy_to_hard", per_loss=True, family="easy_to_hard"),
            loss_code=LOSS_CODE["xent"],
        script:
            "scripts/easy_to_hard.py"

    rule easy_to_hard_table:
        input:
            E2H.cell_tables(),
        output:
            report("results/metrics/easy_to_hard.csv", caption="report.rst", category="Metrics"),
        log:
            "logs/easy_to_hard_table.log",
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            level=PLAN.metrics.ci_level,
            code=script_code("easy_to_hard_table", per_loss=True, family="easy_to_hard"),  # it trains nothing: the cells' loss hashes cover them
        script:
            "scripts/easy_to_hard_table.py"

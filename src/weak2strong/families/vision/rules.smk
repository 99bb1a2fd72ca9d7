# The vision family (steps.py beside this file): images → a pool (some held out, unlabelled, for
# backbones that learn without labels) → per seed a split → frozen features per backbone (and
# augmented views for the students) → weak probes' k-way labels, ceilings, students per (weak,
# strong, loss) → vision.csv and vision.png. Only with a `vision` block; its paths come from plan.py.
from weak2strong.families.vision.images import SKLEARN_FILE, SKLEARN_SHA256

VISION = PLAN.families.get("vision")


if VISION:

    rule vision_fetch_digits:
        output:
            f"{RES}/downloads/{SKLEARN_FILE}",
        log:
            "logs/vision/fetch_digits.log",
        localrule: True
        params:
            sha256=SKLEARN_SHA256,
        shell:
            "{PACKAGE_PYTHON} -m weak2strong.fetch_step {log:q} weak2strong.families.vision.images:fetch_sklearn_archive {output:q}"

    rule vision_images:
        input:
            VISION.source(RES),
        output:
            images="results/vision/images.safetensors",
            pool="results/vision/pool.parquet",
        log:
            "logs/vision/images.log",
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            dataset=VISION.dataset,
            unlabelled=VISION.unlabelled,
            split_sizes=VISION.split_sizes,
            data_seed=PLAN.data_seed,
            code=script_code("vision_images", family="vision"),
        script:
            "scripts/vision_images.py"

    rule vision_splits:
        input:
            "results/vision/pool.parquet",
        output:
            VISION.splits(),
        log:
            "logs/vision/splits.log",
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            seeds=VISION.seeds,
            split_sizes=VISION.split_sizes,
            code=script_code("vision_splits", family="vision"),
        script:
            "scripts/vision_splits.py"

    rule vision_features:
        input:
            images="results/vision/images.safetensors",
            pool="results/vision/pool.parquet",
        output:
            features="results/vision/features/{vbackbone}.safetensors",
            state="results/vision/backbones/{vbackbone}.safetensors",
        log:
            "logs/vision/features/{vbackbone}.log",
        wildcard_constraints:
            vbackbone=one_of(VISION.backbones),
        threads: 2
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            backbone=lambda wc: VISION.backbones[wc.vbackbone],
            data_seed=PLAN.data_seed,
            code=script_code("vision_features", family="vision"),
        script:
            "scripts/vision_features.py"

    rule vision_views:
        input:
            images="results/vision/images.safetensors",
            pool="results/vision/pool.parquet",
            state="results/vision/backbones/{vbackbone}.safetensors",
        output:
            "results/vision/features/{vbackbone}-views{n_views}.safetensors",
        log:
            "logs/vision/views/{vbackbone}-{n_views}.log",
        wildcard_constraints:
            vbackbone=one_of(VISION.backbones),
            n_views="[0-9]+",
        threads: 2
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            backbone=lambda wc: VISION.backbones[wc.vbackbone],
            data_seed=PLAN.data_seed,
            augment=VISION.augment,
            code=script_code("vision_views", family="vision"),
        script:
            "scripts/vision_views.py"

    rule vision_train:
        input:
            unpack(lambda wc: VISION.train_inputs(wc.vrole, wc.vcell)),
        output:
            "results/vision/{vrole}/{vcell}.parquet",
        log:
            "logs/vision/{vrole}/{vcell}.log",
        wildcard_constraints:
            vrole="labels|ceiling|student",
            vcell=SEGMENTS_REGEX,  # names joined by slashes; no segment may be a dot or two
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            seeds=VISION.seeds,
            cell=lambda wc: VISION.cell(wc.vrole, wc.vcell),
            regime=VISION.regime,
            loss_options=lambda wc: PLAN.loss_options(VISION.cell(wc.vrole, wc.vcell)["loss"]),
            code=script_code("vision_train", per_loss=True, family="vision"),
            loss_code=lambda wc: LOSS_CODE[VISION.cell(wc.vrole, wc.vcell)["loss"]],
        script:
            "scripts/vision_train.py"

    rule vision_metrics:
        input:
            labels=[f"results/vision/labels/{w}.parquet" for w in VISION.weak],
            ceilings=[f"results/vision/ceiling/{s}.parquet" for s in VISION.strong],
            students=[f"results/vision/student/{w}/{s}/{loss}.parquet" for w, s in VISION.pairs for loss in VISION.losses],
        output:
            per_seed="results/metrics/vision_per_seed.parquet",
            summary="results/metrics/vision.parquet",
            csv=report("results/metrics/vision.csv", caption="report.rst", category="Metrics"),
        log:
            "logs/vision/metrics.log",
        localrule: True
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            metrics=PLAN.metrics.as_params(),
            code=script_code("vision_metrics", family="vision"),
        script:
            "scripts/vision_metrics.py"

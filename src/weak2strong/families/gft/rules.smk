# Generative fine-tuning (steps.py beside this file; its plan: plan.py): LoRA adapters trained with the
# language-modelling loss on the dataset's texts that no split uses (no labels), once per (dataset,
# backbone, GFT options); the core's extract_features reads a GFT model's features through them
# (FamilyPlan.features_inputs), so its ceiling and students share the GFT backbone.

GFT = PLAN.families.get("gft")  # plan.GftPlan; None when no model has a gft block


if GFT:

    rule gft:
        input:
            unlabelled="results/data/{dataset}/unlabelled.parquet",
            model=lambda wc: PLAN.model_files(GFT.model(wc.key).name),
        output:
            "results/gft/{dataset}/{key}.safetensors",
        log:
            "logs/gft/{dataset}/{key}.log",
        benchmark:
            "benchmarks/out/gft/{dataset}/{key}.tsv"
        wildcard_constraints:
            key=one_of(GFT.keys),
        threads: 2
        resources:
            mem_mb=lambda wc, attempt: 8000 * attempt,
            runtime=lambda wc, attempt: 120 * attempt,
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            model=lambda wc: GFT.model(wc.key).to_dict(),
            seed=PLAN.data_seed,
            resources_dir=RES,
            code=script_code("gft", family="gft"),
        script:
            "scripts/gft.py"

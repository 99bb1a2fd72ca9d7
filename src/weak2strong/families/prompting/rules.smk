# Prompting baselines (steps.py beside this file; its plan: plan.py): each decoder answers the test examples of every
# seed zero-shot and few-shot (the same demonstrations with ground-truth and with weak labels). One
# job per (dataset, decoder) loads the model once for every seed and mode; its three tables enter the
# summary as cells with supervisor "prompting" (weak: the model whose labels the demonstrations show).

PROMPTING = PLAN.families.get("prompting")  # plan.PromptingPlan; None without a prompting block


if PROMPTING:

    rule prompt_decoder:
        input:
            splits=lambda wc: [f"results/data/{wc.dataset}/splits/seed{s}.parquet" for s in PLAN.seeds],
            weak_labels=lambda wc: f"results/labels/{REGIME}/{wc.dataset}/{PROMPTING.weak}.parquet",
            model=lambda wc: PLAN.model_files(wc.model),
        output:
            PROMPTING.outputs("{dataset}", "{model}"),
        log:
            "logs/prompting/{dataset}/{model}.log",
        benchmark:
            "benchmarks/out/prompting/{dataset}/{model}.tsv"
        wildcard_constraints:
            dataset=one_of(PROMPTING.datasets),
            model=one_of(PROMPTING.models),
        threads: 2
        resources:
            mem_mb=lambda wc, attempt: 8000 * attempt,
            runtime=lambda wc, attempt: 120 * attempt,
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            model=lambda wc: PLAN.models[wc.model].to_dict(),
            instruction=lambda wc: PLAN.datasets[wc.dataset].prompt_instruction(),
            prompting=PROMPTING.to_dict(),
            seeds=PLAN.seeds,
            resources_dir=RES,
            code=script_code("prompt_decoder", family="prompting"),
        script:
            "scripts/prompt_decoder.py"

# Bootstrapping (steps.py beside this file; its plan: plan.py): a chain W → M1 → … → S, each trained
# on the previous one's labels on fresh data, against direct W → S. One job per (dataset, chain) runs
# every seed (each step needs the previous). Only with a `bootstrap` block.

BOOT = PLAN.families.get("bootstrap")  # plan.BootstrapPlan; None without a bootstrap block


if BOOT:

    rule bootstrap_chain:
        input:
            unpack(lambda wc: BOOT.inputs(PLAN, wc.dataset, wc.chain)),
        output:
            "results/bootstrap/{regime}/{dataset}/{chain}.parquet",
        log:
            "logs/bootstrap_chain/{regime}/{dataset}/{chain}.log",
        wildcard_constraints:
            chain=one_of(BOOT.chains),
        resources:
            mem_mb=lambda wc, attempt: models_in_turn_mem_mb(BOOT.chains[wc.chain], attempt),
            runtime=lambda wc, attempt: models_in_turn_runtime(BOOT.chains[wc.chain], attempt),
            gpu=0 if PLAN.on_features else 1,
            slurm_partition=PLAN.slurm_partition(0 if PLAN.on_features else 1),
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            chain=lambda wc: [PLAN.models[n].to_dict() for n in BOOT.chains[wc.chain]],
            regimes=lambda wc: [PLAN.train_options(n, wc.dataset) for n in BOOT.chains[wc.chain]],
            seeds=PLAN.seeds,
            loss=BOOT.loss,
            loss_options=lambda wc: PLAN.loss_options(BOOT.loss, BOOT.chains[wc.chain][-1]),
            resources_dir=RES,
            code=script_code("bootstrap_chain", per_loss=True, family="bootstrap"),
            loss_code=LOSS_CODE[BOOT.loss],
        script:
            "scripts/bootstrap_chain.py"

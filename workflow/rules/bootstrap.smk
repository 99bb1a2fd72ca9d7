# Bootstrapping: a chain W → M1 → … → S, each trained on the previous one's labels on fresh data,
# against direct W → S. One job per (dataset, chain) runs every seed (each step needs the previous).
# Its figure: figures.smk.


rule bootstrap_chain:
    input:
        unpack(chain_inputs),
    output:
        "results/bootstrap/{regime}/{dataset}/{chain}.parquet",
    log:
        "logs/bootstrap_chain/{regime}/{dataset}/{chain}.log",
    resources:
        mem_mb=chain_mem_mb,
        runtime=chain_runtime,
        gpu=0 if PLAN.on_features else 1,
        slurm_partition=PLAN.slurm_partition(0 if PLAN.on_features else 1),
    params:
        origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
        chain=lambda wc: [PLAN.models[n].to_dict() for n in PLAN.chains[wc.chain]],
        regimes=lambda wc: [PLAN.train_options(n, wc.dataset) for n in PLAN.chains[wc.chain]],
        seeds=PLAN.seeds,
        loss=PLAN.bootstrap_loss,
        loss_options=lambda wc: PLAN.loss_options(PLAN.bootstrap_loss, PLAN.chains[wc.chain][-1]),
        resources_dir=RES,
        code=script_code("bootstrap_chain", per_loss=True),
        loss_code=LOSS_CODE[PLAN.bootstrap_loss],
    script:
        "../scripts/bootstrap_chain.py"

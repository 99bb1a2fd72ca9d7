# Bootstrapping: a chain W → M1 → … → S, each trained on the previous one's labels on fresh data,
# against direct W → S. One job per (dataset, chain) runs every seed (each step needs the previous).

BOOTSTRAP = config.get("bootstrap", {})


def chain_inputs(wildcards):
    names = PLAN.chains[wildcards.chain]
    inputs = {"splits": [f"results/data/{wildcards.dataset}/splits/seed{s}.parquet" for s in PLAN.seeds]}
    if REGIME == "linear_probe":
        inputs["features"] = [features_file(wildcards, n) for n in names]
    else:
        inputs["models"] = sorted({d for n in names for d in model_dir(n)})
    return inputs


rule bootstrap_chain:
    input:
        unpack(chain_inputs),
    output:
        "results/bootstrap/{regime}/{dataset}/{chain}.parquet",
    log:
        "logs/bootstrap_chain/{regime}/{dataset}/{chain}.log",
    params:
        chain=lambda wc: [model_params(n) for n in PLAN.chains[wc.chain]],
        regimes=lambda wc: [PLAN.train_options(n, wc.dataset) for n in PLAN.chains[wc.chain]],
        seeds=PLAN.seeds,
        loss=BOOTSTRAP.get("loss", "xent"),
        loss_options=lambda wc: PLAN.loss_options(BOOTSTRAP.get("loss", "xent"), PLAN.chains[wc.chain][-1]),
        resources_dir=RES,
        code=CODE["train"],
        loss_code=LOSS_CODE.get(BOOTSTRAP.get("loss", "xent"), ""),
        bootstrap_code=code_hash("bootstrap"),
    resources:
        # one process runs the whole chain (one GPU at most, whatever a model's `gpus`), seed after seed
        mem_mb=lambda wc, attempt: max(train_mem_mb(n)(wc, attempt) // PLAN.processes(n) for n in PLAN.chains[wc.chain]),
        runtime=lambda wc, attempt: (1 if REGIME == "linear_probe" else len(PLAN.seeds)) * sum(train_runtime(n)(wc, attempt) for n in PLAN.chains[wc.chain]),
        gpu=lambda wc: 0 if REGIME == "linear_probe" else 1,
        slurm_partition=slurm_partition(0 if REGIME == "linear_probe" else 1),
    script:
        "../scripts/bootstrap_chain.py"


rule figure_bootstrap:
    input:
        [f"results/bootstrap/{REGIME}/{d}/{c}.parquet" for d in PLAN.datasets for c in PLAN.chains],
    output:
        report(f"results/figures/bootstrap.{FIG_EXT}", caption="../report/bootstrap.rst", category="Figures"),
    log:
        "logs/figures/bootstrap.log",
    params:
        options=figure_options("bootstrap"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_bootstrap.py"

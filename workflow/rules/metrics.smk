# Per-seed metrics of every cell and their aggregation over seeds (mean, median, t-interval, flags).


rule metrics:
    input:
        students=[c["student"] for c in metric_cells()],
        labels=sorted({c["labels"] for c in metric_cells()}),
        ceilings=sorted({c["ceiling"] for c in metric_cells()}),
        curves=sorted({p for c in metric_cells() for p in c["curves"]}),
    output:
        per_seed="results/metrics/per_seed.parquet",
        summary_parquet="results/metrics/summary.parquet",
        summary_csv=report("results/metrics/summary.csv", caption="../report/summary.rst", category="Metrics"),
        methods_parquet="results/metrics/methods.parquet",  # what the methods figure reads (checksummed, io.py)
        methods_csv=report("results/metrics/methods.csv", caption="../report/methods.rst", category="Metrics"),
    log:
        "logs/metrics.log",
    localrule: True
    params:
        origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
        cells=metric_cells(),
        regime=REGIME,
        early_stopping=PLAN.early_stopping,
        metrics=PLAN.metrics.as_params(),
        code=script_code("metrics"),
    script:
        "../scripts/metrics.py"

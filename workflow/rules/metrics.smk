# Per-seed metrics of every cell and their aggregation over seeds (mean, median, bootstrap CI).


rule metrics:
    input:
        students=[c["student"] for c in metric_cells()],
        labels=sorted({c["labels"] for c in metric_cells()}),
        ceilings=sorted({c["ceiling"] for c in metric_cells()}),
    output:
        per_seed="results/metrics/per_seed.parquet",
        summary_parquet="results/metrics/summary.parquet",
        summary_csv=report("results/metrics/summary.csv", caption="../report/summary.rst", category="Metrics"),
        methods_csv=report("results/metrics/methods.csv", caption="../report/methods.rst", category="Metrics"),
    log:
        "logs/metrics.log",
    params:
        cells=metric_cells(),
        regime=REGIME,
        early_stopping=PLAN.regime_options().get("early_stopping", "none"),
        n_bootstrap=config.get("metrics", {}).get("n_bootstrap", 10000),
        code=CODE["metrics"],
    localrule: True
    script:
        "../scripts/metrics.py"

# Per-seed metrics of every cell and their aggregation over seeds (mean, median, t-interval, flags).


def metric_cells():
    """Every cell with the files (each holding every seed) its metrics are computed from: the weak
    labels, the ceiling's and the student's predictions, and the student's training curves (the
    fraction of weak labels its loss kept)."""
    curves = {(c["dataset"], c["weak"], c["strong"], c["loss"]): c["paths"] for c in student_curves()}
    return [
        {
            "dataset": c.dataset, "weak": c.weak, "strong": c.strong, "loss": c.loss,
            "labels": f"results/labels/{REGIME}/{c.dataset}/{c.weak}.parquet",
            "ceiling": f"results/predictions/{REGIME}/{c.dataset}/ceiling/{c.strong}.parquet",
            "student": f"results/predictions/{REGIME}/{c.dataset}/student/{c.weak}/{c.strong}/{c.loss}.parquet",
            "curves": curves[(c.dataset, c.weak, c.strong, c.loss)],
        }
        for c in PLAN.cells
    ]


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
        methods_csv=report("results/metrics/methods.csv", caption="../report/methods.rst", category="Metrics"),
    log:
        "logs/metrics.log",
    params:
        cells=metric_cells(),
        regime=REGIME,
        early_stopping=PLAN.regime_options().get("early_stopping", "none"),
        metrics=PLAN.metrics_options(),
        code=CODE["metrics"],
    localrule: True
    script:
        "../scripts/metrics.py"

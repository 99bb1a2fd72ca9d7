# Figures: each its own rule and file, rebuilt from the metrics table alone.


rule figure_accuracy_vs_strong:
    input:
        summary="results/metrics/summary.parquet",
    output:
        report(f"results/figures/accuracy_vs_strong.{FIG_EXT}", caption="../report/accuracy_vs_strong.rst", category="Figures"),
    log:
        "logs/figures/accuracy_vs_strong.log",
    params:
        sizes={name: m.size for name, m in PLAN.models.items()},
        options=figure_options("accuracy_vs_strong"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_accuracy_vs_strong.py"


rule figure_pgr:
    input:
        summary="results/metrics/summary.parquet",
    output:
        report(f"results/figures/pgr.{FIG_EXT}", caption="../report/pgr.rst", category="Figures"),
    log:
        "logs/figures/pgr.log",
    params:
        options=figure_options("pgr"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_pgr.py"

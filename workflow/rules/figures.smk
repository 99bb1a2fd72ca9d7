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


rule figure_agreement:
    input:
        summary="results/metrics/summary.parquet",
    output:
        report(f"results/figures/agreement.{FIG_EXT}", caption="../report/agreement.rst", category="Figures"),
    log:
        "logs/figures/agreement.log",
    params:
        sizes={name: m.size for name, m in PLAN.models.items()},
        options=figure_options("agreement"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_agreement.py"


rule figure_misfit:
    input:
        per_seed="results/metrics/per_seed.parquet",
    output:
        report(f"results/figures/misfit.{FIG_EXT}", caption="../report/misfit.rst", category="Figures"),
    log:
        "logs/figures/misfit.log",
    params:
        options=figure_options("misfit"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_misfit.py"


def dynamics_cells():
    """The students whose curves the dynamics figure shows (its `losses`, else every loss)."""
    shown = figure_options("dynamics").get("losses")  # checked against experiment.losses by plan.py
    return [c for c in student_curves() if not shown or c["loss"] in shown]


rule figure_methods:
    input:
        methods="results/metrics/methods.csv",
    output:
        report(f"results/figures/methods.{FIG_EXT}", caption="../report/methods_figure.rst", category="Figures"),
    log:
        "logs/figures/methods.log",
    params:
        options=figure_options("methods"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_methods.py"


rule figure_dynamics:
    input:
        curves=[p for c in dynamics_cells() for p in c["paths"]],
    output:
        report(f"results/figures/dynamics.{FIG_EXT}", caption="../report/dynamics.rst", category="Figures"),
    log:
        "logs/figures/dynamics.log",
    params:
        cells=dynamics_cells(),
        options=figure_options("dynamics"),
        code=CODE["plots"],
    localrule: True
    script:
        "../scripts/figure_dynamics.py"

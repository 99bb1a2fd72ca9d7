# Figures: one rule for all of them, each figure its own job and file, drawn from the metrics (or
# the training curves, or a study's own tables) alone. What each is drawn from and its caption:
# src/weak2strong/figures.py; how: plots.draw_<name>.


rule figure:
    input:
        unpack(figure_inputs),
    output:
        report(f"results/figures/{{figure}}.{FIG_EXT}", caption="../report/figure.rst", category="Figures"),
    log:
        "logs/figures/{figure}.log",
    wildcard_constraints:
        figure=one_of(FIGURES),
    localrule: True
    params:
        origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
        options=lambda wc: PLAN.figures.of(wc.figure),
        context=figure_context,
        caption=lambda wc: FIGURES[wc.figure].caption,
        drawn_by=lambda wc: FIGURES[wc.figure].drawn_by,
        code=lambda wc: figure_code(wc.figure),
    script:
        "../scripts/figure.py"

"""The prompting family's figures (entries as in figures.py; drawn by plots.py beside this file)."""

from __future__ import annotations

from ...figures import FigureSpec

FIGURES = [
    FigureSpec(
        "prompting", ("summary",),
        "Prompting baselines against decoder size: each decoder answers the test examples from an instruction in the "
        "paper's style zero-shot (grey), and few-shot with k demonstrations from train_b drawn per seed (the same ones) "
        "labelled with the ground truth (blue) or with the weak model's labels (orange); p(class 1) is the next-token "
        "probability of \"1\" against \"0\". Against them: the decoder's linear probe trained on ground truth (the "
        "ceiling, black) and on the weak model's labels (the weak-to-strong student, green), and the weak model (dashed). "
        "Prompting, its ceiling and the weak model are scored on the first test_size test examples of each seed (by id); "
        "the student on all of them. Means over seeds with 95% t-intervals.",
        options=("dpi",), needs="prompting", draw="weak2strong.families.prompting.plots:draw_prompting", by_size=True,
    ),
]

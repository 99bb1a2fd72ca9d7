"""The vision family (Burns et al. 2023, §4.1): linear probes on frozen image features, k classes.

One folder holds it all: ``plan.py`` (the ``vision`` block, checked, and the files its rules make),
``steps.py`` (the experiment), ``images.py`` (image pools), ``backbones.py`` (pixels, k-means patches,
hub and torchvision networks, augmented views), ``figures.py`` and ``plots.py`` (its figure),
``rules.smk`` and ``scripts/`` (its jobs), ``schema.yaml`` (its config block), ``report.rst``.
"""

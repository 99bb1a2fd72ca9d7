"""Generative fine-tuning (GFT; Burns et al. 2023, §5.2.2): a model with a ``gft`` block learns the
dataset's unlabelled texts with the language-modelling loss before it is read; this folder trains its
adapters (plan.py, steps.py, rules.smk). Reading a model through its adapter is the core's feature
extraction (models/features.py), and a GFT model's features are named after its options
(``ModelSpec.features_key``)."""

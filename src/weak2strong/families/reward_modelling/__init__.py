"""Reward modelling (Burns et al. 2023, §4.1): comparison datasets, whose pairs the core's rules train and
score (data/pairs.py; features f(c1) − f(c2)); this folder holds what reads them apart: its figure and its
block of the docs."""

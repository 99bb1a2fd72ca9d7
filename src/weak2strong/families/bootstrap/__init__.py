"""The bootstrapping family: chains of growing models, each taught by the previous one (plan.py, steps.py)."""

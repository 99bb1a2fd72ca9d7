"""The simulated supervisors family: weak supervisors that are label transformations (plan.py, steps.py)."""

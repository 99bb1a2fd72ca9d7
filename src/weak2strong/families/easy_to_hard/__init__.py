"""The easy-to-hard study (Burns et al. 2023, §5.3): students trained on easy examples only, tested on hard
ones, with ground truth and with the weak model's labels (plan.py, steps.py)."""

"""The prompting family: zero- and few-shot prompting of decoders beside their students (plan.py, steps.py)."""

"""The chess family: generative weak-to-strong on chess puzzles, and easy-to-hard by Elo (plan.py, steps.py)."""

"""Training: one loop for every regime (linear probe on cached features, full fine-tuning)."""

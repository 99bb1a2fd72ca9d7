"""Datasets: declared sources, binary examples with stable ids, balanced group-aware splits."""

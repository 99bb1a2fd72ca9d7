"""Models: declared backbones, offline assets, the 2-way classifier and cached features."""

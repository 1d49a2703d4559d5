"""Reproducible benchmarks: synthetic data generators and the scripts that score them."""

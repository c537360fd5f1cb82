"""Benchmarks run by `make bench`; each prints its figures and ratios measured side by side."""

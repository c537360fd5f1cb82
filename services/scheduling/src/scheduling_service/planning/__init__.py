"""Optimizations: the problem built from the database (`planning_*`), asked of the optimizer
and read against the plan (`optimizations`), then applied or rejected (`optimization_decisions`)."""

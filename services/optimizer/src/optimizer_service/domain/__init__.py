"""The planning engine: CP-SAT planning and sequencing of surgeries, a baseline and a checker."""

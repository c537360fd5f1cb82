"""The resources service."""

"""The resources service's tables and their migrations."""

"""The optimizer service's tables and their migrations."""

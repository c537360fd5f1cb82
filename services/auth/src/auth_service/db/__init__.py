"""The auth service's tables and their migrations."""

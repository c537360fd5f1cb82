"""The scheduling service's tables and their migrations."""

"""Event consumers of the scheduling service."""

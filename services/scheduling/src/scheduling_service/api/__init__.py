"""The REST API of the scheduling service."""

"""The resources service's REST API."""

"""The optimizer service's HTTP API."""

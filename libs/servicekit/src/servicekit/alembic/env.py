"""Alembic environment shared by every service; the service is passed in by the kit's CLI."""

from servicekit.migrations import run_env

run_env()

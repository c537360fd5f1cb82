"""`python -m auth_service migrate|serve|seed`."""

from servicekit.cli import run

from auth_service.bootstrap import service

run(service)

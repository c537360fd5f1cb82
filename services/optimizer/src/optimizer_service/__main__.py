"""`python -m optimizer_service migrate|serve|seed`."""

from servicekit.cli import run

from optimizer_service.bootstrap import service

run(service)

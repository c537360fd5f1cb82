"""`python -m scheduling_service migrate|serve|seed`."""

from servicekit.cli import run

from scheduling_service.bootstrap import service

run(service)

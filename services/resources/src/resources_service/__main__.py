"""`python -m resources_service migrate|serve|seed`."""

from servicekit.cli import run

from resources_service.bootstrap import service

run(service)

"""`python -m interop_service migrate|serve|seed`."""

from servicekit.cli import run

from interop_service.bootstrap import service

run(service)

"""`python -m auth_service migrate|serve|seed|rotate-keys|create-admin`."""

from servicekit.cli import run

from auth_service.bootstrap import service
from auth_service.commands import COMMANDS

run(service, extra=COMMANDS)

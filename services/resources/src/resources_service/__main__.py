"""`python -m resources_service migrate|serve|seed|republish-snapshots`."""

from servicekit.cli import run

from resources_service.bootstrap import service
from resources_service.cli import COMMANDS

run(service, extra=COMMANDS)

"""`python -m optimizer_service migrate|serve|seed`."""

from servicekit.cli import run

from optimizer_service.bootstrap import service

# Guarded: the solving processes are spawned, and a spawned child imports this module again.
if __name__ == "__main__":
    run(service)

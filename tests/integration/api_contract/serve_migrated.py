"""One throwaway service in one process: its migrations, auth's administrator, then serving.

`python -m tests.integration.api_contract.serve_migrated <name> [create-admin arguments]`
runs what `python -m <name>_service migrate`, `create-admin` (auth) and `serve` run, through the
same command line (`servicekit.cli.run`), one after the other in one interpreter: a service's
start imports it once instead of three times, and each service goes from migrating to serving
without waiting for the others' migrations.
"""

from __future__ import annotations

import importlib
import sys

from servicekit.cli import run


def main(name: str, admin_arguments: list[str]) -> None:
    service = importlib.import_module(f"{name}_service.bootstrap").service
    run(service, ["migrate"])
    if admin_arguments:
        commands = importlib.import_module(f"{name}_service.commands").COMMANDS
        run(service, ["create-admin", *admin_arguments], extra=commands)
    run(service, ["serve"])


# Guarded: a process the service spawns (the optimizer's solver) imports this module again.
if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

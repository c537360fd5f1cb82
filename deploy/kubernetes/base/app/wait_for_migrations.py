"""Waits until this service's database is migrated to the image's code (an initContainer).

The migrations Job (`<service>-migrate`) runs `migrate`; a new replica waits here until the
database holds this code's head revisions (or a newer release's, during a rolling upgrade), so
its outbox relay and consumer never run new code on an old schema. It asks what readiness asks
(servicekit.health), with the service's own settings, every 5 s; the pod's startup gives up when
its initContainer never finishes, and Kubernetes tries again.
"""

import asyncio
import importlib
import os

from servicekit.db import ConnectOptions, create_engine
from servicekit.health import database_problem
from servicekit.migrations import schema_revisions


async def wait_for_migrations(service_name: str) -> None:
    service = importlib.import_module(f"{service_name}_service.bootstrap").service
    settings = service.settings()
    revisions = schema_revisions(service)
    engine = create_engine(
        settings.database_url.get_secret_value(),
        pool_size=1,
        options=ConnectOptions.of(settings),
    )
    try:
        while problem := await database_problem(engine, revisions):
            print(f"{service_name}: waiting for the migrations Job: {problem}", flush=True)
            await asyncio.sleep(5)
    finally:
        await engine.dispose()
    print(f"{service_name}: database migrated to this code", flush=True)


if __name__ == "__main__":
    asyncio.run(wait_for_migrations(os.environ["SERVICE"]))

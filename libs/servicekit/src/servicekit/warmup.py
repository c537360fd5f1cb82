"""A worker's start: what its first requests would otherwise do while their callers wait.

Measured on the demo hospital (docs/performance.md, eighth round): right after a restart, the
first read of a case through the gateway took 100-500 ms and a load of 100 reads a second had a
p99 of 150-400 ms for its first half second, against 6-13 ms a minute later. A new worker's first
request builds FastAPI's route tables (each route's dependencies and response model, about 90 ms
of CPU for scheduling's routes), fetches the auth service's signing keys, reads the user access
table, opens its database connections (TLS and SCRAM each) and compiles its direct reads' SQL;
every request that arrives meanwhile waits behind it.

`warm` does all of that once, before the worker takes its first request (uvicorn serves only
after the app's lifespan has started), within `WARM_SECONDS`; the signing keys are fetched in the
background (`JwksKeys.prefetch`), since the auth service's workers fetch them from themselves.
It is best effort: a database that is down or slow at the start costs the worker nothing but
the wait (it starts, and its readiness says what is missing); whatever was not done here is done
by the first request that needs it, as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import FastAPI

from servicekit.auth import JwksKeys
from servicekit.service import Runtime
from servicekit.user_access import UserAccessGuard

log = logging.getLogger(__name__)

# The longest a worker's start waits on the warm-up (a database that does not answer at all).
WARM_SECONDS = 5.0
# Connections opened ahead in each of the worker's pools: a quiet worker serves with one or two.
WARM_CONNECTIONS = 2


async def warm(
    app: FastAPI,
    runtime: Runtime[Any],
    keys: JwksKeys,
    guard: UserAccessGuard | None,
    *,
    seconds: float = WARM_SECONDS,
    connections: int = WARM_CONNECTIONS,
) -> None:
    """Builds the routes, opens `connections` of each pool and reads the user access table,
    waiting at most `seconds`; starts fetching the signing keys."""
    started = time.perf_counter()
    try:
        build_routes(app)
    except Exception:  # a later FastAPI that matches otherwise: the first requests build them
        log.warning("worker started without building its routes ahead", exc_info=True)
    keys.prefetch()
    steps = {"database connections": asyncio.ensure_future(runtime.open_connections(connections))}
    if guard is not None:
        steps["user access"] = asyncio.ensure_future(guard.load())
    _, pending = await asyncio.wait(steps.values(), timeout=seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    missed = [
        f"{name} ({'no answer' if task in pending else repr(task.exception())})"
        for name, task in steps.items()
        if task in pending or task.exception() is not None
    ]
    if missed:
        log.warning(
            "worker started without warming %s (the first requests do it)", ", ".join(missed)
        )
    log.info("worker warmed in %.0f ms", (time.perf_counter() - started) * 1000)


def build_routes(app: FastAPI) -> None:
    """Has the router build, now, what it builds on the first request that reaches each route:
    FastAPI (0.16x) works out a router's routes (their dependencies, parameters and response
    models) the first time a request is matched against them. A request for no path walks
    every route; matching has no effect beyond that."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/\x00warm-up",  # matches no route
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }
    for route in app.router.routes:
        route.matches(scope)

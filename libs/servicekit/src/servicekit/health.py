"""Liveness and readiness: /healthz says the process runs, /readyz that it can do its work."""

from __future__ import annotations

import asyncio
import time

from aiokafka.client import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.problems import problem_response

router = APIRouter(tags=["health"])


class KafkaProbe:
    """Asks the broker for metadata; the answer is kept briefly so probes cost little."""

    def __init__(self, bootstrap_servers: str, *, cache_seconds: float = 2.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._cache_seconds = cache_seconds
        self._checked_at = float("-inf")
        self._last: str | None = None

    async def check(self) -> str | None:
        if time.monotonic() - self._checked_at < self._cache_seconds:
            return self._last
        client = AIOKafkaClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=2000)
        try:
            await asyncio.wait_for(client.bootstrap(), timeout=3)
            self._last = None
        except Exception as exc:
            self._last = f"kafka unreachable: {type(exc).__name__}"
        finally:
            await client.close()
        self._checked_at = time.monotonic()
        return self._last


async def database_problem(engine: AsyncEngine) -> str | None:
    try:
        async with asyncio.timeout(3), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return f"database unreachable: {type(exc).__name__}"
    return None


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database and Kafka are reachable",
    responses={503: {"description": "Not ready; `problems` says what is unreachable."}},
)
async def readyz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    problems = [
        p
        for p in await asyncio.gather(database_problem(runtime.engine), runtime.kafka_probe.check())
        if p
    ]
    if problems:
        return problem_response(
            request,
            503,
            "The service cannot do its work now: " + "; ".join(problems) + ".",
            problems=problems,
        )
    return JSONResponse({"status": "ready"})

"""The five services as processes of their own, for the API contract test.

Each runs on a spare port against a fresh schema of the test database, with no background
workers (no outbox relay, no consumer: nothing is published or consumed), so the fuzzer's users,
rooms and cases never reach the demo stack or the real topics. Tokens come
from a throwaway auth service of the same kind, whose keys the other four verify against.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from servicekit.db import create_engine
from sqlalchemy import text

from tests.conftest import KAFKA, KIT_DATABASE_URL, ROOT

# Auth is fuzzed last: acting as the administrator, the fuzzer may reset its password.
SERVICES = ("resources", "scheduling", "optimizer", "interop", "auth")
# Without a run worker, a run never finishes: `mode: wait` answers 202 once its wait runs out
# instead of after the solver's time limit. The wait still polls the run (a check and a sleep)
# before it gives up, but only for 0.05 s: the coverage phase sends over a hundred valid
# `mode: wait` bodies, and at 0.5 s each they were a third of the optimizer's fuzz time.
EXTRA_SETTINGS = {
    "optimizer": {
        "MAX_WAIT_SECONDS": "0.05",
        "WAIT_POLL_SECONDS": "0.05",
        "WAIT_MARGIN_SECONDS": "0",
    }
}
ADMIN_EMAIL = "fuzz-admin@example.org"
ADMIN_PASSWORD = f"fuzz-{uuid.uuid4()}"


@dataclass(frozen=True)
class Throwaway:
    name: str
    url: str
    log: Path
    process: subprocess.Popen[bytes]
    environment: dict[str, str]


@dataclass(frozen=True)
class Stack:
    services: dict[str, Throwaway]
    admin_token: str


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def create_schema(name: str) -> None:
    await _admin(f'CREATE SCHEMA "{name}"')


async def drop_schema(name: str) -> None:
    await _admin(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


async def _admin(statement: str) -> None:
    engine = create_engine(KIT_DATABASE_URL, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def environment(name: str, schema: str, port: int, jwks_url: str) -> dict[str, str]:
    prefix = f"{name.upper()}_"
    settings = {
        "DATABASE_URL": KIT_DATABASE_URL,
        "DATABASE_SCHEMA": schema,
        "BACKGROUND_WORKERS": "false",
        # Nothing publishes, consumes or probes the broker: no workers, and /readyz asks none.
        **KAFKA.environment(),
        "PORT": str(port),
        "JWKS_URL": jwks_url,
        "DB_POOL_SIZE": "4",
        # One process each: a service's worker processes share nothing the fuzzer could tell
        # apart, and five services of N processes each would start slower on two cores.
        "WORKERS": "1",
        "LOG_LEVEL": "WARNING",
        **EXTRA_SETTINGS.get(name, {}),
    }
    return {**os.environ, "ENVIRONMENT": "test"} | {prefix + k: v for k, v in settings.items()}


@contextmanager
def stack(schemas: dict[str, str], log_dir: Path) -> Iterator[Stack]:
    """The five services migrated into their schemas and serving, until the block ends.

    All five start at once, each one process that migrates and then serves (serve_migrated.py;
    auth makes the fuzzer's administrator in between), and the block begins when all answer.
    """
    ports = {name: spare_port() for name in SERVICES}
    jwks = f"http://127.0.0.1:{ports['auth']}/.well-known/jwks.json"
    envs = {name: environment(name, schemas[name], ports[name], jwks) for name in SERVICES}
    admin = ["--email", ADMIN_EMAIL, "--display-name", "Fuzz"]
    with ExitStack() as running:
        services = {
            name: running.enter_context(
                serving(name, ports[name], envs[name], log_dir, admin if name == "auth" else [])
            )
            for name in SERVICES
        }
        for service in services.values():
            _until_healthy(service)
        yield Stack(services, admin_token(services["auth"]))


@contextmanager
def serving(
    name: str, port: int, env: dict[str, str], log_dir: Path, admin: list[str]
) -> Iterator[Throwaway]:
    log = log_dir / f"{name}.log"
    command = [sys.executable, "-m", "tests.integration.api_contract.serve_migrated", name, *admin]
    # The administrator's password reaches only the process that makes the administrator.
    secret = {"AUTH_FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD} if admin else {}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env | secret, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield Throwaway(name, f"http://127.0.0.1:{port}", log, process, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _until_healthy(service: Throwaway) -> None:
    # Migrating and starting five services at once on a busy two-core machine.
    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        assert service.process.poll() is None, (
            f"{service.name} exited at start-up:\n{service.log.read_text()[-3000:]}"
        )
        try:
            if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{service.name} never became healthy:\n{service.log.read_text()[-3000:]}")


def admin_token(auth: Throwaway) -> str:
    response = httpx.post(
        f"{auth.url}/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]

"""The command line every service shares: `python -m <service>_service migrate|serve|seed`.

A service may add commands of its own (`Command`); they run with the service's `Runtime`.
`serve` runs `<PREFIX>_WORKERS` worker processes behind the one port (supervisor.py); each
imports the service's ASGI app, `<service>_service.main:app` unless the service says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic

import uvicorn
from typing_extensions import TypeVar

from servicekit import migrations, supervisor
from servicekit.app import create_app, gateway_prefix
from servicekit.logs import configure_logging
from servicekit.service import Runtime, ServiceDefinition, SettingsT
from servicekit.settings import ServiceSettings

# A command that reads only the kit's settings (a bare `Runtime`) serves every service.
SettingsT_contra = TypeVar(
    "SettingsT_contra", bound=ServiceSettings, default=ServiceSettings, contravariant=True
)


@dataclass(frozen=True)
class Command(Generic[SettingsT_contra]):
    """A service's own command: its arguments, and what it does with the live runtime."""

    help: str
    execute: Callable[[Runtime[SettingsT_contra], argparse.Namespace], Awaitable[None]]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


def run(
    service: ServiceDefinition[SettingsT],
    argv: list[str] | None = None,
    extra: Mapping[str, Command[SettingsT]] | None = None,
    *,
    asgi_app: str | None = None,
) -> None:
    """`asgi_app` ("module:attribute") is what each worker process imports to serve."""
    extra = extra or {}
    parser = argparse.ArgumentParser(prog=f"python -m {service.name}_service")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, command in extra.items():
        command.arguments(commands.add_parser(name, help=command.help))
    commands.add_parser("migrate", help="apply database migrations up to head")
    commands.add_parser("serve", help="serve the HTTP API and run the event workers")
    commands.add_parser("seed", help="load demo data (refused in production)")
    revision = commands.add_parser("revision", help="autogenerate a migration")
    revision.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)

    settings = service.settings()
    configure_logging(service.name, settings.log_level)
    match args.command:
        case "migrate":
            migrations.upgrade(service)
        case "revision":
            migrations.revision(service, args.message)
        case "serve":
            serve(service, settings, asgi_app or f"{service.name}_service.main:app")
        case "seed":
            if settings.is_production:
                sys.exit("refusing to seed demo data with ENVIRONMENT=production")
            if service.seed is not None:
                asyncio.run(_with_runtime(service, service.seed))
        case name if name in extra:
            command = extra[name]
            asyncio.run(_with_runtime(service, lambda runtime: command.execute(runtime, args)))


def serve(service: ServiceDefinition[SettingsT], settings: ServiceSettings, asgi_app: str) -> None:
    """Serve the API and run the background workers: in this process, or in `settings.workers`
    processes sharing the port, under a lean supervisor that replaces this one (supervisor.py)."""
    if settings.workers > 1:
        supervisor.become(
            supervisor.command(
                service=service.name,
                asgi_app=asgi_app,
                workers=settings.workers,
                host=settings.host,
                port=settings.port,
                root_path=gateway_prefix(service),
                grace_seconds=int(settings.shutdown_grace_seconds),
                log_level=settings.log_level,
            )
        )
    uvicorn.run(
        create_app(service),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        # So the interactive docs find the OpenAPI document through the gateway.
        root_path=gateway_prefix(service),
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )


async def _with_runtime(
    service: ServiceDefinition[SettingsT], work: Callable[[Runtime[SettingsT]], Awaitable[None]]
) -> None:
    runtime = Runtime(service, service.settings())
    try:
        await work(runtime)
    finally:
        await runtime.close()

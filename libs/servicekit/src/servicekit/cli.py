"""The command line every service shares: `python -m <service>_service migrate|serve|seed`."""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvicorn

from servicekit import migrations
from servicekit.app import create_app, gateway_prefix
from servicekit.logs import configure_logging
from servicekit.service import Runtime, ServiceDefinition


def run(service: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {service.name}_service")
    commands = parser.add_subparsers(dest="command", required=True)
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
        case "seed":
            if settings.is_production:
                sys.exit("refusing to seed demo data with ENVIRONMENT=production")
            if service.seed is not None:
                asyncio.run(_seed(service))


async def _seed(service: ServiceDefinition) -> None:
    runtime = Runtime(service, service.settings())
    try:
        assert service.seed is not None
        await service.seed(runtime)
    finally:
        await runtime.close()

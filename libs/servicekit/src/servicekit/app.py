"""Builds a service's FastAPI app: routes, errors, metrics, health, and its background workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from servicekit import auth, error_responses, metrics, migrations, supervisor, warmup
from servicekit.health import BrokerWatch
from servicekit.health import router as health_router
from servicekit.kafka import KafkaConnection, create_consumer, create_producer
from servicekit.logs import configure_logging
from servicekit.messaging.consumer import ConsumerConfig, IdempotentConsumer
from servicekit.messaging.relay import OutboxRelay, RelayConfig
from servicekit.problems import install_problem_handlers
from servicekit.requests import RequestContextMiddleware
from servicekit.service import Runtime, ServiceDefinition, SettingsT, Worker
from servicekit.tracing import configure_tracing, fastapi_telemetry
from servicekit.user_access import user_access_guard

log = logging.getLogger(__name__)


def create_app(service: ServiceDefinition[SettingsT]) -> FastAPI:
    app = FastAPI(
        title=service.title,
        description=service.description,
        version=service.version,
        lifespan=_lifespan(service),
        openapi_tags=list(service.openapi_tags) or None,
        # Behind the gateway every path is under /api/<service> (the gateway strips it).
        servers=[{"url": gateway_prefix(service)}],
        telemetry=fastapi_telemetry(),
    )
    # RequestContextMiddleware answers unexpected errors too: one layer, not two.
    install_problem_handlers(app, service.problem_formats, catch_unexpected=False)
    error_responses.install(app, (health_router, *service.routers), service.problem_formats)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health_router)
    for router in service.routers:
        app.include_router(router)
    # For the Allow header of a 405 (problems.py).
    app.state.routes_by_path = [
        (route.path_regex, route.methods)
        for router in (health_router, *service.routers)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    app.add_api_route("/metrics", _metrics, include_in_schema=False)
    return app


async def _metrics() -> Response:
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def gateway_prefix(service: ServiceDefinition[Any]) -> str:
    return f"/api/{service.name}"


def background_workers(runtime: Runtime[SettingsT]) -> list[Worker]:
    """The outbox relay, the consumer when the service handles events, the broker watch, and
    the service's own workers."""
    settings, service = runtime.settings, runtime.service
    if not settings.background_workers:
        return []
    client_id = f"{service.name}-service"
    kafka = KafkaConnection.of(settings)
    relay = OutboxRelay(
        RelayConfig(
            dsn=runtime.dsn,
            database=runtime.connect_options,
            search_path=settings.search_path,
            kafka=kafka,
            client_id=client_id,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            retention_hours=settings.outbox_retention_hours,
        ),
        lambda: create_producer(kafka, client_id=client_id),
    )
    workers: list[Worker] = [relay]
    if service.handlers is not None:
        handlers = service.handlers()
        workers.append(
            IdempotentConsumer(
                ConsumerConfig(
                    group_id=service.consumer_group,
                    kafka=kafka,
                    client_id=client_id,
                    max_attempts=settings.consumer_max_attempts,
                    backoff_seconds=settings.consumer_backoff_seconds,
                    transaction_per_batch=settings.consumer_transaction_per_batch,
                    gather_seconds=settings.consumer_gather_seconds,
                ),
                handlers,
                runtime.sessions,
                lambda: create_consumer(
                    kafka,
                    *handlers.topics,
                    group_id=service.consumer_group,
                    client_id=client_id,
                ),
                lambda: create_producer(kafka, client_id=client_id),
            )
        )
    workers.append(BrokerWatch(runtime.kafka_probe))
    if service.workers is not None:
        workers.extend(service.workers(runtime))
    return workers


def _lifespan(
    service: ServiceDefinition[SettingsT],
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        supervisor.die_with_supervisor()
        settings = service.settings()
        configure_logging(service.name, settings.log_level)
        tracer_provider = configure_tracing(service.name, settings.otlp_endpoint)
        runtime = Runtime(service, settings)
        keys = auth.JwksKeys(settings.jwks_url)
        app.state.runtime = runtime
        # Read once: readiness compares the database's revision with this code's.
        app.state.schema_revisions = migrations.schema_revisions(service)
        app.state.token_verifier = auth.TokenVerifier(
            keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        )
        app.state.access_guard = user_access_guard(runtime)
        metrics.WORKER_PROCESSES.set(1)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(worker.run(stop), name=type(worker).__name__)
            for worker in background_workers(runtime)
        ]
        await warmup.warm(app, runtime, keys, app.state.access_guard)
        supervisor.freeze_startup_objects()  # the route tables the warm-up built among them
        log.info("%s service started", service.name)
        try:
            yield
        finally:
            # Workers finish the batch in hand, commit, and return.
            stop.set()
            if tasks:  # none when the API serves alone (BACKGROUND_WORKERS=false)
                _, pending = await asyncio.wait(tasks, timeout=settings.shutdown_grace_seconds)
                for task in pending:
                    task.cancel()
            await keys.aclose()
            await runtime.close()
            log.info("%s service stopped", service.name)
            if tracer_provider is not None:
                tracer_provider.shutdown()  # sends the spans still batched

    return lifespan

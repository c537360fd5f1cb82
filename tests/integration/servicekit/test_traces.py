"""One trace followed by its id from an HTTP request, through the PostgreSQL outbox, the real
relay and Kafka, to the consumer that applied the event (the spans recorded in memory)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from contracts.events.auth_users import UserRegistered
from fastapi import APIRouter
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import SecretStr
from servicekit.app import create_app
from servicekit.db import UnitOfWork
from servicekit.service import ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import (
    commit_events,
    effects,
    make_consumer,
    make_relay,
    user_registered,
    wait_until,
)
from tests.unit.servicekit.spans import named, recorded_spans, trace_id_of

pytestmark = pytest.mark.integration

# What the gateway passes on when the browser (or an upstream proxy) started the trace.
GATEWAY_TRACE = uuid.uuid4().hex
GATEWAY_SPAN = uuid.uuid4().hex[:16]


class _Settings(ServiceSettings):
    database_url: SecretStr = SecretStr(KIT_DATABASE_URL)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    yield from recorded_spans()


@contextlib.asynccontextmanager
async def running(*workers) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


def registering_service(engine: AsyncEngine, topic: str) -> ServiceDefinition:
    """A service built by the kit whose one command commits a change and its event together."""
    router = APIRouter()

    @router.post("/registrations", status_code=201)
    async def register() -> dict[str, str]:
        event = user_registered()
        async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
            envelope = await uow.outbox.add(event, topic=topic)
            await uow.commit()
        return {"event_id": str(envelope.event_id)}

    return ServiceDefinition(
        name="registering",
        title="Registering",
        description="Registers users; its events go through the outbox.",
        settings=_Settings,
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=[router],
    )


async def record_effect_with_trace(session, event: UserRegistered, envelope) -> None:
    """The consumer's effect notes the trace it was applied in, in the same transaction."""
    context = trace.get_current_span().get_span_context()
    await session.execute(
        insert(effects).values(
            event_id=envelope.event_id,
            user_id=event.user_id,
            note=trace.format_trace_id(context.trace_id),
        )
    )


async def effect_trace_id(engine: AsyncEngine, event_id: str) -> str | None:
    async with engine.connect() as conn:
        return await conn.scalar(
            text("SELECT note FROM effects WHERE event_id = :id"), {"id": uuid.UUID(event_id)}
        )


async def outbox_traceparent(engine: AsyncEngine, event_id: str) -> str | None:
    async with engine.connect() as conn:
        return await conn.scalar(
            text("SELECT traceparent FROM outbox WHERE event_id = :id"),
            {"id": uuid.UUID(event_id)},
        )


def parent_of(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    (parent,) = [s for s in spans if s.context.span_id == span.parent.span_id]
    return parent


async def test_a_request_is_followed_by_its_trace_id_to_the_consumer_that_applied_its_event(
    engine, schema, topic, spans
):
    app = create_app(registering_service(engine, topic))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://registering"
    ) as client:
        answer = await client.post(
            "/registrations", headers={"traceparent": f"00-{GATEWAY_TRACE}-{GATEWAY_SPAN}-01"}
        )
    assert answer.status_code == 201, answer.text
    event_id = answer.json()["event_id"]

    # The transaction wrote the trace into PostgreSQL with the event.
    stored = await outbox_traceparent(engine, event_id)
    assert stored is not None and stored.split("-")[1] == GATEWAY_TRACE

    group = f"g-{uuid.uuid4().hex[:8]}"
    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA),
        make_consumer(engine, topic, group, KAFKA, handler=record_effect_with_trace),
    ):
        applied_in = await wait_until(
            lambda: effect_trace_id(engine, event_id), what="the event applied"
        )

    # The consumer applied the event inside the request's trace, a process away from it.
    assert applied_in == GATEWAY_TRACE
    finished = spans.get_finished_spans()
    (server,) = named(finished, "POST /registrations")
    (publish,) = named(finished, f"publish {topic}")
    (process,) = named(finished, f"process {topic}")
    assert {trace_id_of(s) for s in (server, publish, process)} == {GATEWAY_TRACE}
    assert server.kind == SpanKind.SERVER and server.parent.span_id == int(GATEWAY_SPAN, 16)
    # Parented through Kafka by the relay's span, itself parented through the outbox row by the
    # route's endpoint span; the INSERT that wrote the row is a PostgreSQL span of the same trace.
    assert parent_of(process, finished) is publish
    writer = parent_of(publish, finished)
    assert f"{writer.context.span_id:016x}" == stored.split("-")[2]
    assert (writer.name, parent_of(writer, finished)) == ("fastapi.endpoint", server)
    statements = [
        s for s in finished if trace_id_of(s) == GATEWAY_TRACE and s.kind == SpanKind.CLIENT
    ]
    assert any(
        "INSERT INTO outbox" in (s.attributes or {}).get("db.statement", "") for s in statements
    )


async def test_an_event_written_outside_any_trace_is_applied_in_a_trace_of_its_own(
    engine, schema, topic, spans
):
    await commit_events(engine, topic, [user_registered()])
    async with engine.connect() as conn:
        event_id, stored = (
            await conn.execute(text("SELECT event_id, traceparent FROM outbox"))
        ).one()
    assert stored is None

    group = f"g-{uuid.uuid4().hex[:8]}"
    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA),
        make_consumer(engine, topic, group, KAFKA, handler=record_effect_with_trace),
    ):
        applied_in = await wait_until(
            lambda: effect_trace_id(engine, str(event_id)), what="the event applied"
        )

    (process,) = named(spans.get_finished_spans(), f"process {topic}")
    assert process.parent is None
    assert applied_in == trace_id_of(process)
    assert named(spans.get_finished_spans(), f"publish {topic}") == []


async def test_rows_of_several_record_batches_have_one_publishing_span_each(
    engine, schema, topic, spans
):
    """The relay judges whether a row fits a record batch before its span starts, so a row that
    opens the next batch is not given a second span."""
    rows = 400
    await commit_events(engine, topic, [user_registered(n) for n in range(rows)])
    async with engine.begin() as conn:  # about 1 KB each: 400 KB, two batches or more
        await conn.execute(
            text(
                "UPDATE outbox SET traceparent = :traceparent,"
                " envelope = envelope || jsonb_build_object('pad', repeat('x', 1000))"
            ),
            {"traceparent": f"00-{GATEWAY_TRACE}-{GATEWAY_SPAN}-01"},
        )

    async def published() -> bool:
        async with engine.connect() as conn:
            waiting = await conn.scalar(
                text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            )
        return waiting == 0

    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA)):
        await wait_until(published, what="every row published")

    publishing = named(spans.get_finished_spans(), f"publish {topic}")
    assert len(publishing) == rows
    assert {trace_id_of(span) for span in publishing} == {GATEWAY_TRACE}

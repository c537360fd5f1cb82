"""The consumer's handler of case events with both read models registered (as the service
has them): the FHIR read model's row and the SIU feed's state locked and read in one round
trip, and everything stored exactly as the two handlers store it one after the other."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from contracts.envelope import Envelope
from contracts.events.scheduling_surgeries import (
    EVENTS,
    SurgeryCancelled,
    SurgeryStatus,
    SurgeryStatusChanged,
)
from contracts.registry import parse_envelope
from contracts.topics import SCHEDULING_SURGERIES
from interop_service import bootstrap, case_events
from interop_service.db.fhir_cases import fhir_cases
from interop_service.db.orders import service_requests
from interop_service.fhir import cases_projection
from interop_service.siu import projection
from servicekit.db import UnitOfWork
from servicekit.messaging.consumer import Handler, HandlerMap
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.integration.interop.siu.test_siu_feed import SENDER, SIU_TABLES, T0, story, wrapped

TABLES = (fhir_cases, service_requests, *SIU_TABLES)


@pytest.fixture
async def both(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        for table in TABLES:
            await conn.run_sync(table.create)
        await conn.execute(text("INSERT INTO siu_endpoints (name) VALUES ('one'), ('two')"))
    return engine


def combined() -> HandlerMap:
    return case_events.register(HandlerMap(), sender=SENDER)


async def one_after_the_other(session: Any, event: Any, envelope: Envelope) -> None:
    await cases_projection.on_surgery_event(session, event, envelope)
    await projection.apply(session, event, envelope, SENDER)


async def run(engine: AsyncEngine, handler_of: Any, envelopes: Sequence[Envelope]) -> None:
    for envelope in envelopes:
        async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
            event = parse_envelope(envelope.model_dump_json().encode())[1]
            handler: Handler = handler_of(event)
            await handler(uow.session, event, envelope)
            await uow.commit()


SNAPSHOT = {
    "fhir_cases": "SELECT to_jsonb(c) - 'updated_at' FROM fhir_cases c ORDER BY case_id",
    "siu_cases": "SELECT case_id, request, booking FROM siu_cases ORDER BY case_id",
    "siu_messages": "SELECT control_id, source_event_id, case_id, trigger, er7, occurred_at"
    " FROM siu_messages ORDER BY id",
    "siu_deliveries": "SELECT endpoint, state, case_id FROM siu_deliveries"
    " ORDER BY message_id, endpoint",
    "outbox": "SELECT topic, message_key, event_type, envelope->'data' FROM outbox ORDER BY id",
}


async def snapshot_and_empty(engine: AsyncEngine) -> dict[str, list[Any]]:
    async with engine.begin() as conn:
        taken = {k: [tuple(r) for r in await conn.execute(text(q))] for k, q in SNAPSHOT.items()}
        await conn.execute(
            text("TRUNCATE fhir_cases, siu_cases, siu_messages, siu_deliveries, outbox")
        )
    return taken


async def test_one_read_for_both_stores_what_the_two_handlers_store(both: AsyncEngine) -> None:
    handlers = combined()
    by_type = handlers.by_topic[next(iter(handlers.by_topic))]
    stories = [story(1), story(3), story(2)]
    cancelled = SurgeryCancelled(
        surgery_id=uuid.UUID(stories[2][0].aggregate_id()),
        reason_code="no_bed",
        cancelled_by=uuid.uuid4(),
        cancelled_at=T0,
    )
    confirmed = SurgeryStatusChanged(  # nothing for the feed, a change for the read model
        surgery_id=uuid.UUID(stories[1][0].aggregate_id()),
        from_status=SurgeryStatus.SCHEDULED,
        to_status=SurgeryStatus.CONFIRMED,
        changed_at=T0,
    )
    ordered = uuid.UUID(stories[1][0].aggregate_id())  # placed through FHIR before its events
    async with both.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO service_requests"
                " (case_id, placer_system, placer_value, resource, request, placed_by)"
                " VALUES (:c, 'urn:placer', 'ORD-1', '{}', '{}', :c)"
            ),
            {"c": ordered},
        )
    events = [e for s in stories for e in s] + [cancelled, confirmed]
    first = wrapped(events)
    envelopes = first + first[:2]  # and two applied again (a replay under a new group)
    await run(both, lambda e: by_type[e.event_type], envelopes)
    through_one = await snapshot_and_empty(both)
    await run(both, lambda e: one_after_the_other, envelopes)
    through_two = await snapshot_and_empty(both)

    assert through_one == through_two
    assert len(through_one["siu_messages"]) == 7  # 3 S12, 2 S13, 1 S15; the copies none
    assert sum("ORD-1" in str(row) for row in through_one["fhir_cases"]) == 1
    assert sum("'confirmed'" in str(row) for row in through_one["fhir_cases"]) == 1
    assert len(through_one["outbox"]) == 7


def test_the_service_handles_every_case_event_with_the_one_read() -> None:
    by_type = bootstrap.handlers().by_topic[SCHEDULING_SURGERIES.name]
    assert {event.event_type for event in EVENTS} <= set(by_type)
    assert {by_type[event.event_type].__name__ for event in EVENTS} == {"with_cases"}

"""The FHIR read model of cases against the real PostgreSQL and Kafka: each event applied once,
in its case's order, and a redelivered, stale or early event converging on the same case."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import pytest
from contracts.envelope import Envelope, Event
from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.registry import parse_envelope
from interop_service.db.fhir_cases import fhir_cases
from interop_service.db.orders import service_requests
from interop_service.domain.fhir_cases_record import CaseRecord
from interop_service.fhir import cases_projection, cases_store
from servicekit.db import UnitOfWork
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA
from tests.integration.conftest import create_topic, publish_envelopes
from tests.integration.servicekit.effects import wait_until
from tests.unit.interop.fhir_cases.case_events import MONDAY, Case, moments


@pytest.fixture
async def cases(engine: AsyncEngine) -> AsyncEngine:
    """The read model of cases, and the orders placed through FHIR it reads placer numbers from."""
    async with engine.begin() as conn:
        await conn.run_sync(fhir_cases.create)
        await conn.run_sync(service_requests.create)
    return engine


def wrapped(events: Sequence[Event], at: Sequence[datetime]) -> list[Envelope]:
    pairs = zip(events, at, strict=True)
    return [Envelope.wrap(e, producer="scheduling", occurred_at=t) for e, t in pairs]


async def apply(engine: AsyncEngine, envelopes: Sequence[Envelope]) -> None:
    """Each envelope in a transaction of its own, through the projection's handler."""
    for envelope in envelopes:
        async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
            event = _event_of(envelope)
            await cases_projection.on_surgery_event(uow.session, event, envelope)
            await uow.commit()


def _event_of(envelope: Envelope) -> Event:
    return parse_envelope(envelope.model_dump_json().encode())[1]


async def stored(engine: AsyncEngine, case_id: uuid.UUID) -> CaseRecord | None:
    async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
        return await cases_store.find(uow.session, case_id)


def story(case: Case) -> list[Event]:
    """Requested, booked, moved to the other room, confirmed."""
    first, moved = case.booking(), case.booking(room=1, hours_later=3, team=False)
    return [
        case.requested(),
        case.scheduled(first),
        case.rescheduled(first, moved),
        case.status(SurgeryStatus.SCHEDULED, SurgeryStatus.CONFIRMED),
    ]


async def test_a_case_read_in_order_keeps_its_request_and_its_latest_booking(cases) -> None:
    case = Case()
    await apply(cases, wrapped(story(case), moments(4)))
    record = await stored(cases, case.case_id)
    assert record is not None and record.request is not None
    assert record.request.patient_mrn == case.mrn
    assert record.status is SurgeryStatus.CONFIRMED
    assert record.booking is not None and record.booking.room_id == case.room_ids[1]
    assert record.practitioner_ids == (case.surgeon_id,)


async def test_a_stale_event_replayed_after_newer_ones_changes_nothing(cases) -> None:
    case = Case()
    envelopes = wrapped(story(case), moments(4))
    await apply(cases, envelopes)
    before = await stored(cases, case.case_id)
    # The first booking again, as a DLQ replay would bring it (a new delivery, an old fact).
    await apply(cases, [envelopes[1].model_copy(update={"event_id": uuid.uuid4()})])
    assert await stored(cases, case.case_id) == before


async def test_a_booking_that_comes_before_its_request_converges_on_the_same_case(cases) -> None:
    in_order = Case()
    early = dataclasses.replace(in_order, case_id=uuid.uuid4())
    await apply(cases, wrapped(story(in_order), moments(4)))
    envelopes = wrapped(story(early), moments(4))
    await apply(cases, [envelopes[1], envelopes[3], envelopes[2], envelopes[0]])
    left, right = await stored(cases, in_order.case_id), await stored(cases, early.case_id)
    assert left is not None and right is not None
    assert right == dataclasses.replace(left, case_id=early.case_id)


async def test_booked_spans_are_the_rooms_taken_from_setup_to_cleanup(cases) -> None:
    case, other = Case(), Case()
    booking = case.booking()
    await apply(cases, wrapped([case.requested(), case.scheduled(booking)], moments(2)))
    await apply(
        cases, wrapped([other.requested(), other.scheduled(), other.cancelled()], moments(3))
    )
    async with UnitOfWork(async_sessionmaker(cases), "interop") as uow:
        spans = await cases_store.booked_spans(
            uow.session, [*case.room_ids, *other.room_ids], MONDAY, MONDAY + timedelta(days=1)
        )
    assert spans == {
        case.room_ids[0]: [
            (booking.start - timedelta(minutes=30), booking.end + timedelta(minutes=20))
        ]
    }


class Feed:
    """A topic of the test's own standing in for `scheduling.surgeries.v1`, and a consumer."""

    def __init__(self, engine: AsyncEngine, topic: str) -> None:
        self.engine, self.topic = engine, topic
        self.group = f"tests-interop-{uuid.uuid4().hex[:8]}"

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        await publish_envelopes(
            self.topic, envelopes, key="surgery_id", client_id="tests-scheduling"
        )

    @asynccontextmanager
    async def consuming(self) -> AsyncIterator[None]:
        consumer = IdempotentConsumer(
            ConsumerConfig(group_id=self.group, kafka=KAFKA, client_id="tests"),
            cases_projection.register(HandlerMap(), topic=self.topic),
            async_sessionmaker(self.engine, expire_on_commit=False),
            lambda: create_consumer(KAFKA, self.topic, group_id=self.group, client_id="tests"),
            lambda: create_producer(KAFKA, client_id="tests"),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)

    async def processed(self) -> int:
        async with self.engine.connect() as conn:
            query = text("SELECT count(*) FROM processed_events")
            return (await conn.execute(query)).scalar_one()


async def test_a_story_redelivered_through_kafka_is_applied_once(cases) -> None:
    case = Case()
    envelopes = wrapped([*story(case), case.cancelled()], moments(5))
    feed = Feed(cases, await create_topic("interop-cases"))
    await feed.publish(envelopes)
    await feed.publish(envelopes)  # the whole story delivered again, same event ids
    async with feed.consuming():
        await wait_until(lambda: _at_least(feed, 5), timeout=30, what="the story")
        await wait_until(lambda: _cancelled(cases, case.case_id), timeout=30, what="cancel")
    record = await stored(cases, case.case_id)
    assert record is not None and record.status is SurgeryStatus.CANCELLED
    assert record.booking is not None and record.booking.room_id == case.room_ids[1]
    assert await feed.processed() == 5


async def _at_least(feed: Feed, wanted: int) -> bool:
    return await feed.processed() >= wanted


async def _cancelled(engine: AsyncEngine, case_id: uuid.UUID) -> bool:
    record = await stored(engine, case_id)
    return record is not None and record.status is SurgeryStatus.CANCELLED

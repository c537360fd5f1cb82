"""The SIU feed against the real PostgreSQL, Kafka and MLLP receivers started here: messages
built once, stored with the event, delivered in order per case whatever the receiver does."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from contracts.envelope import Envelope, Event
from contracts.events.scheduling_surgeries import (
    AnaesthesiaType,
    Booking,
    Procedure,
    StaffAssignment,
    SurgeryCancelled,
    SurgeryRequested,
    SurgeryRescheduled,
    SurgeryScheduled,
)
from contracts.registry import parse_envelope
from contracts.vocabulary import StaffRole, SurgeryPriority
from interop_service.db import siu as siu_tables
from interop_service.domain import siu_messages
from interop_service.settings import MllpEndpoint
from interop_service.siu import projection
from interop_service.siu.delivery import DeliveryConfig, DeliveryWorker, Listening
from interop_service.siu.retention import RetentionConfig, purge_once
from prometheus_client import REGISTRY
from servicekit.db import UnitOfWork, asyncpg_dsn
from servicekit.db_connections import ConnectOptions
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.conftest import create_topic
from tests.integration.servicekit.effects import wait_until
from tests.interop_support.mllp_receiver import MllpReceiver, always, first_then

SENDER = siu_messages.Sender("ORSCHED", "HOSPITAL", timezone="Europe/Amsterdam")
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
FAST = DeliveryConfig(
    connect_timeout=1.0, ack_timeout=1.0, retry_initial=0.05, retry_max=0.2, poll=0.05
)
SIU_TABLES = (
    siu_tables.siu_cases,
    siu_tables.siu_messages,
    siu_tables.siu_endpoints,
    siu_tables.siu_deliveries,
)


@pytest.fixture
async def feed(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        for table in SIU_TABLES:
            await conn.run_sync(table.create)
    return engine


def story(moves: int = 3) -> list[Event]:
    """A case requested, booked, moved `moves - 1` times (each an S13): `moves` messages."""
    case_id = uuid.uuid4()
    booking = Booking(
        room_id=uuid.uuid4(),
        start=T0,
        end=T0 + timedelta(hours=1),
        staff=(StaffAssignment(staff_id=uuid.uuid4(), role=StaffRole.ANAESTHETIST),),
    )
    events: list[Event] = [
        SurgeryRequested(
            surgery_id=case_id,
            patient_mrn="MRN-1",
            procedure=Procedure(code="W37.1", name="Hip replacement", coding_system="opcs4"),
            surgeon_id=uuid.uuid4(),
            specialty="orthopaedics",
            expected_duration_minutes=60,
            priority=SurgeryPriority.ELECTIVE,
            anaesthesia_type=AnaesthesiaType.GENERAL,
            requested_by=uuid.uuid4(),
        ),
        SurgeryScheduled(surgery_id=case_id, booking=booking),
    ]
    for _ in range(1, moves):
        moved = booking.model_copy(
            update={
                "start": booking.start + timedelta(hours=1),
                "end": booking.end + timedelta(hours=1),
            }
        )
        events.append(
            SurgeryRescheduled(surgery_id=case_id, previous_booking=booking, new_booking=moved)
        )
        booking = moved
    return events


def wrapped(events: Sequence[Event]) -> list[Envelope]:
    return [Envelope.wrap(e, producer="scheduling") for e in events]


async def apply(engine: AsyncEngine, envelopes: Sequence[Envelope]) -> None:
    """Each event in a transaction of its own, through the projection, as the consumer would."""
    for envelope in envelopes:
        async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
            event = parse_envelope(envelope.model_dump_json().encode())[1]
            await projection.apply(uow.session, event, envelope, SENDER)
            await uow.commit()


async def register(engine: AsyncEngine, name: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO siu_endpoints (name) VALUES (:n)"), {"n": name})


async def states(engine: AsyncEngine, name: str) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT state, count(*) FROM siu_deliveries WHERE endpoint = :n GROUP BY state"),
            {"n": name},
        )
        return {state: count for state, count in rows}


@asynccontextmanager
async def delivering(
    engine: AsyncEngine,
    name: str,
    port: int,
    workers: int = 1,
    config: DeliveryConfig = FAST,
    listening: Listening | None = None,
) -> AsyncIterator[list[DeliveryWorker]]:
    endpoint = MllpEndpoint(name=name, host="127.0.0.1", port=port)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    running = [
        DeliveryWorker(endpoint, sessions, config, listening=listening) for _ in range(workers)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in running]
    try:
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)


def by_case(received: Sequence[object]) -> dict[str, list[str]]:
    cases: dict[str, list[str]] = {}
    for r in received:
        cases.setdefault(r.case_id, []).append(r.control_id)  # type: ignore[attr-defined]
    return cases


async def built(engine: AsyncEngine) -> dict[str, list[str]]:
    """Each case's control ids in the order its messages were built."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT case_id, control_id FROM siu_messages ORDER BY id"))
        cases: dict[str, list[str]] = {}
        for case_id, control_id in rows:
            cases.setdefault(str(case_id), []).append(control_id)
        return cases


async def test_messages_reach_the_receiver_once_each_in_order_per_case(feed: AsyncEngine) -> None:
    await register(feed, "theatre")
    stories = [wrapped(story(3)) for _ in range(4)]
    for envelopes in stories:
        await apply(feed, envelopes)
    async with MllpReceiver() as receiver, delivering(feed, "theatre", receiver.port):
        got = await receiver.wait_for(12)
    assert by_case(got) == await built(feed)
    assert len({r.control_id for r in receiver.received}) == 12
    assert {r.trigger for r in got} == {"S12", "S13"}
    assert await states(feed, "theatre") == {"delivered": 12}


async def test_a_receiver_down_for_a_while_gets_everything_in_order_afterwards(
    feed: AsyncEngine,
) -> None:
    await register(feed, "ehr")
    receiver = await MllpReceiver().start()
    port = receiver.port
    async with delivering(feed, "ehr", port):
        first = wrapped(story(2))
        await apply(feed, first)
        await receiver.wait_for(2)
        await receiver.stop()  # down: refused connections while more is built
        later = [wrapped(story(3)) for _ in range(3)]
        for envelopes in later:
            await apply(feed, envelopes)
        await asyncio.sleep(0.5)
        assert (await states(feed, "ehr")).get("pending") == 9
        restarted = await MllpReceiver(port=port).start()
        try:
            got = await restarted.wait_for(9)
        finally:
            await restarted.stop()
    everything = await built(feed)
    assert by_case(got) == {case: ids for case, ids in everything.items() if case in by_case(got)}
    assert len(by_case(got)) == 3
    assert await states(feed, "ehr") == {"delivered": 11}


async def test_an_error_ack_is_retried_and_a_dropped_connection_sent_again(
    feed: AsyncEngine,
) -> None:
    await register(feed, "flaky")
    envelopes = wrapped(story(2))
    await apply(feed, envelopes)
    # AE to the first answer, then the connection dropped before the second's ACK, then AA.
    script = lambda n: {1: "AE", 2: "drop"}.get(n, "AA")  # noqa: E731
    async with MllpReceiver(script=script) as receiver, delivering(feed, "flaky", receiver.port):
        got = await receiver.wait_for(2)
    answers = [(r.control_id, r.answer) for r in receiver.received]
    s12, s13 = (await built(feed))[envelopes[0].data["surgery_id"]]
    assert answers == [(s12, "AE"), (s12, "drop"), (s12, "AA"), (s13, "AA")]
    assert [r.control_id for r in got] == [s12, s13]


async def test_a_rejected_message_is_parked_and_holds_back_only_its_own_case(
    feed: AsyncEngine,
) -> None:
    await register(feed, "strict")
    rejected_case = wrapped(story(2))
    other_case = wrapped(story(2))
    await apply(feed, rejected_case)
    await apply(feed, other_case)
    script = first_then("AR", 1, "AA")
    async with (
        MllpReceiver(script=script) as receiver,
        delivering(feed, "strict", receiver.port) as (worker,),
    ):
        got = await receiver.wait_for(2)
        await asyncio.sleep(0.3)
        await worker.measure(now=True)
    assert REGISTRY.get_sample_value("interop_siu_parked_messages", {"endpoint": "strict"}) == 1
    oldest = REGISTRY.get_sample_value(
        "interop_siu_oldest_undelivered_age_seconds", {"endpoint": "strict"}
    )
    assert oldest is not None and oldest > 0  # the rejected case's next message waits
    cases = await built(feed)
    assert [r.control_id for r in got] == cases[str(other_case[0].data["surgery_id"])]
    assert await states(feed, "strict") == {"parked": 1, "pending": 1, "delivered": 2}
    async with feed.connect() as conn:
        reason = await conn.scalar(
            text("SELECT last_error FROM siu_deliveries WHERE state = 'parked'")
        )
    assert reason == "AR: unknown location"


async def test_two_delivery_workers_never_send_one_message_twice(feed: AsyncEngine) -> None:
    await register(feed, "busy")
    for _ in range(15):
        await apply(feed, wrapped(story(2)))
    async with (
        MllpReceiver(script=always("AA")) as receiver,
        delivering(feed, "busy", receiver.port, workers=2),
    ):
        got = await receiver.wait_for(30)
        await asyncio.sleep(0.3)
    assert len(receiver.received) == 30
    assert len({r.control_id for r in receiver.received}) == 30
    assert by_case(got) == await built(feed)


async def test_a_redelivered_event_builds_no_second_message(feed: AsyncEngine) -> None:
    topic = await create_topic("interop-siu")
    events = story(2)
    cancelled = SurgeryCancelled(
        surgery_id=uuid.UUID(events[0].aggregate_id()),
        reason_code="no_bed",
        cancelled_by=uuid.uuid4(),
        cancelled_at=T0,
    )
    envelopes = wrapped([*events, cancelled])
    group = f"tests-siu-{uuid.uuid4().hex[:8]}"
    producer = create_producer(KAFKA, client_id="tests-scheduling")
    await producer.start()
    try:
        for envelope in [*envelopes, *envelopes]:  # the whole story delivered twice
            await producer.send_and_wait(
                topic,
                value=envelope.model_dump_json().encode(),
                key=str(envelope.data["surgery_id"]).encode(),
            )
    finally:
        await producer.stop()
    consumer = IdempotentConsumer(
        ConsumerConfig(group_id=group, kafka=KAFKA, client_id="tests"),
        projection.register(HandlerMap(), topic=topic, sender=SENDER),
        async_sessionmaker(feed, expire_on_commit=False),
        lambda: create_consumer(KAFKA, topic, group_id=group, client_id="tests"),
        lambda: create_producer(KAFKA, client_id="tests"),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:

        async def all_processed() -> bool:
            async with feed.connect() as conn:
                count = await conn.scalar(text("SELECT count(*) FROM processed_events"))
            return count == len(envelopes)

        await wait_until(all_processed, timeout=60, what="every event processed")
        await asyncio.sleep(1.0)  # the copies come after the originals, on one partition
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    async with feed.connect() as conn:
        triggers = (await conn.execute(text("SELECT trigger FROM siu_messages ORDER BY id"))).all()
        outbox = (
            await conn.execute(text("SELECT envelope->'data'->>'trigger' FROM outbox ORDER BY id"))
        ).all()
    assert [t for (t,) in triggers] == ["S12", "S13", "S15"]
    assert [t for (t,) in outbox] == ["S12", "S13", "S15"]


async def test_an_event_applied_again_stores_no_second_message_and_no_second_event(
    feed: AsyncEngine,
) -> None:
    """A replay from the DLQ under a new consumer group gets past `processed_events`: the
    message's event id stops it, and with it its `SiuMessageBuilt` (written by one statement)."""
    await register(feed, "again")
    envelopes = wrapped(story(2))
    await apply(feed, envelopes)
    await apply(feed, envelopes)
    async with feed.connect() as conn:
        messages = (await conn.execute(text("SELECT id, control_id FROM siu_messages"))).all()
        published = (
            await conn.execute(
                text("SELECT envelope->'data'->>'control_id' FROM outbox ORDER BY id")
            )
        ).all()
        deliveries = await conn.scalar(text("SELECT count(*) FROM siu_deliveries"))
    assert len(messages) == 2
    assert [c for (c,) in published] == [c for _, c in sorted(messages)]
    assert deliveries == 2


async def test_a_listening_worker_is_woken_by_a_new_message_long_before_its_poll(
    feed: AsyncEngine, schema: str
) -> None:
    await register(feed, "woken")
    slow_poll = dataclasses.replace(FAST, poll=30.0)
    listening = Listening(asyncpg_dsn(KIT_DATABASE_URL), ConnectOptions(), search_path=schema)
    async with (
        MllpReceiver() as receiver,
        delivering(feed, "woken", receiver.port, config=slow_poll, listening=listening),
    ):
        await asyncio.sleep(1.0)  # listening, and idle until its poll in 30 s
        built_at = time.monotonic()
        await apply(feed, wrapped(story(1)))
        await receiver.wait_for(1, timeout=10)
        assert time.monotonic() - built_at < 5


async def test_the_retention_purge_deletes_old_messages_nothing_waits_for(
    feed: AsyncEngine,
) -> None:
    await apply(feed, wrapped(story(1)))  # built before any endpoint: delivered to nobody
    await register(feed, "kept")
    await apply(feed, wrapped(story(5)))
    async with feed.begin() as conn:
        ids = [i for (i,) in await conn.execute(text("SELECT id FROM siu_messages ORDER BY id"))]
        _nobodys, delivered, abandoned, parked, pending, recent = ids
        for message_id, state in (
            (delivered, "delivered"),
            (abandoned, "abandoned"),
            (parked, "parked"),
            (pending, "pending"),
            (recent, "delivered"),
        ):
            await conn.execute(
                text("UPDATE siu_deliveries SET state = :s WHERE message_id = :m"),
                {"s": state, "m": message_id},
            )
        await conn.execute(
            text("UPDATE siu_messages SET built_at = now() - interval '31 days' WHERE id <> :m"),
            {"m": recent},
        )
    sessions = async_sessionmaker(feed, expire_on_commit=False)
    config = RetentionConfig(retention_days=30, batch=2)  # two batches and a last, short one
    assert await purge_once(sessions, config) == 3
    async with feed.connect() as conn:
        left = [i for (i,) in await conn.execute(text("SELECT id FROM siu_messages ORDER BY id"))]
        deliveries = (
            await conn.execute(text("SELECT message_id FROM siu_deliveries ORDER BY message_id"))
        ).all()
    assert left == [parked, pending, recent]
    assert [m for (m,) in deliveries] == [parked, pending, recent]  # the others' went with them
    assert await purge_once(sessions, config) == 0

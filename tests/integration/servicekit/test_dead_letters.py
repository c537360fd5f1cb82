"""A message that cannot be processed is parked in `<topic>.dlq`; the partition keeps flowing."""

from __future__ import annotations

import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from contracts.envelope import Envelope
from servicekit.messaging.consumer import Unprocessable

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import (
    commit_events,
    effect_counts,
    make_consumer,
    make_relay,
    outbox_ids,
    record_effect,
    user_registered,
    wait_until,
)
from tests.integration.servicekit.test_delivery_guarantees import running

pytestmark = pytest.mark.integration


async def _produce_raw(topic: str, *values: bytes) -> None:
    producer = AIOKafkaProducer(**KAFKA.client_options(), acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(
                topic, value=value, key=b"k", headers=[("event_type", b"UserRegistered")]
            )
    finally:
        await producer.stop()


async def _read_all(topic: str, expected: int) -> list:
    consumer = AIOKafkaConsumer(
        topic, **KAFKA.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list = []
    try:
        for _ in range(40):
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                records.extend(messages)
            if len(records) >= expected:
                break
    finally:
        await consumer.stop()
    return records


def _headers(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def test_malformed_messages_go_to_the_dlq_and_later_messages_are_still_processed(
    engine, schema, topic
):
    invalid_data = Envelope.wrap(user_registered(), producer="tests").model_dump(mode="json")
    invalid_data["data"]["email"] = 42
    hostile = b"[" * 100_000  # nesting that blows Python's recursion limit
    await _produce_raw(topic, b"\xff not json at all", json.dumps(invalid_data).encode(), hostile)
    await commit_events(engine, topic, [user_registered(i) for i in range(5)])
    expected = set(await outbox_ids(engine))
    group = f"g-{uuid.uuid4().hex[:8]}"

    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA), make_consumer(engine, topic, group, KAFKA)
    ):
        await wait_until(lambda: _has(engine, expected), what="the valid events after the bad ones")

    parked = await _read_all(topic + ".dlq", expected=3)
    assert parked[0].value == b"\xff not json at all"
    assert [_headers(r)["dlq-original-offset"] for r in parked] == ["0", "1", "2"]
    for record in parked:
        headers = _headers(record)
        assert headers["dlq-original-topic"] == topic
        assert headers["dlq-consumer-group"] == group
        assert headers["dlq-error-type"] == "ContractViolation"
        assert headers["dlq-error-message"]
    assert "email" in _headers(parked[1])["dlq-error-message"]
    assert "nested too deeply" in _headers(parked[2])["dlq-error-message"]


async def test_an_event_whose_handler_keeps_failing_is_dead_lettered_after_its_retries(
    engine, schema, topic
):
    doomed = user_registered(0)
    after = [user_registered(i) for i in range(1, 4)]
    attempts = 0

    async def refuse_the_doomed(session, event, envelope):
        nonlocal attempts
        if event.user_id == doomed.user_id:
            attempts += 1
            raise RuntimeError("the ward system rejected this user")
        await record_effect(session, event, envelope)

    await commit_events(engine, topic, [doomed])
    await commit_events(engine, topic, after)
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA, handler=refuse_the_doomed, max_attempts=3)
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA), consumer):
        await wait_until(
            lambda: _count_at_least(engine, 3), what="the events after the failing one"
        )

    assert attempts == 3
    parked = await _read_all(topic + ".dlq", expected=1)
    assert len(parked) == 1
    assert _headers(parked[0])["dlq-attempts"] == "3"
    assert _headers(parked[0])["dlq-error-type"] == "RuntimeError"
    assert Envelope.model_validate_json(parked[0].value).data["user_id"] == str(doomed.user_id)
    # The failed attempts rolled back: no effect of the doomed event survives.
    assert doomed.user_id not in {u for u in await _users(engine)}


async def test_a_handler_verdict_of_unprocessable_skips_the_retries(engine, schema, topic):
    attempts = 0

    async def unprocessable(session, event, envelope):
        nonlocal attempts
        attempts += 1
        raise Unprocessable("references a room that was never announced")

    await commit_events(engine, topic, [user_registered(0)])
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA, handler=unprocessable, max_attempts=5)
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA), consumer):
        parked = await _read_all(topic + ".dlq", expected=1)
    assert attempts == 1
    assert _headers(parked[0])["dlq-attempts"] == "1"


async def _has(engine, expected) -> bool:
    return expected <= set(await effect_counts(engine))


async def _count_at_least(engine, n: int) -> bool:
    return sum((await effect_counts(engine)).values()) >= n


async def _users(engine) -> list[uuid.UUID]:
    from sqlalchemy import text

    async with engine.connect() as conn:
        return [row[0] for row in await conn.execute(text("SELECT user_id FROM effects"))]

"""How the consumer decides between retrying, dead-lettering and waiting for the infrastructure."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer
from asyncpg.exceptions import LockNotAvailableError, QueryCanceledError
from prometheus_client import REGISTRY
from servicekit.kafka import KafkaConnection
from servicekit.messaging.consumer import (
    ConsumerConfig,
    HandlerMap,
    IdempotentConsumer,
    _is_infrastructure_failure,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError


def consumer(**config) -> IdempotentConsumer:
    settings = {"group_id": "g", "kafka": KafkaConnection("x"), "client_id": "c", **config}
    return IdempotentConsumer(ConsumerConfig(**settings), HandlerMap(), None, None, None)


def test_backoff_doubles_and_is_capped():
    c = consumer(backoff_seconds=0.1, max_backoff_seconds=1.0)
    assert [c._backoff(n) for n in range(1, 7)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(),
        TimeoutError(),
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        # The statement or lock timeout: the database gave up, the message did nothing wrong.
        DBAPIError("UPDATE", {}, QueryCanceledError("canceling statement due to timeout")),
        DBAPIError("UPDATE", {}, LockNotAvailableError("canceling statement: lock timeout")),
    ],
)
def test_an_outage_or_a_timeout_is_not_the_message_fault(error):
    assert _is_infrastructure_failure(error)


@pytest.mark.parametrize(
    "error",
    [ValueError("bad room"), KeyError("x"), IntegrityError("INSERT", {}, Exception("dup"))],
)
def test_a_bug_or_a_constraint_is_the_message_fault(error):
    assert not _is_infrastructure_failure(error)


def test_handlers_are_found_by_topic_and_event_type():
    from contracts.events.auth_users import UserDeactivated, UserRegistered

    async def handler(session, event, envelope):
        return None

    handlers = HandlerMap().on(UserRegistered, handler).on(UserDeactivated, handler, topic="t.v2")
    assert handlers.topics == ["auth.users.v1", "t.v2"]
    assert set(handlers.by_topic["auth.users.v1"]) == {"UserRegistered"}


async def test_a_tombstone_is_skipped_without_touching_the_database_or_the_dlq():
    from aiokafka import ConsumerRecord

    tombstone = ConsumerRecord(
        topic="resources.operating-rooms.v1",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"room-1",
        value=None,
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=-1,
        headers=(),
    )
    # No sessions and no DLQ producer: touching either would raise.
    await consumer().process(tombstone, dlq_producer=None)


async def test_a_consumer_that_fails_before_it_reads_counts_each_restart():
    # Such a consumer never reports its lag; the restarts are what the ConsumerRestarting alert
    # watches.
    stop = asyncio.Event()
    failures = 0

    def unreadable() -> AIOKafkaConsumer:
        nonlocal failures
        failures += 1
        if failures == 2:
            stop.set()  # the second failure is the last
        raise RuntimeError("a batch in a codec this consumer lacks")

    c = IdempotentConsumer(
        ConsumerConfig(group_id="restarting", kafka=KafkaConnection("x"), client_id="c"),
        HandlerMap(),
        None,
        unreadable,
        None,
    )
    before = REGISTRY.get_sample_value("consumer_restarts_total", {"group": "restarting"}) or 0

    await asyncio.wait_for(c.run(stop), timeout=10)

    after = REGISTRY.get_sample_value("consumer_restarts_total", {"group": "restarting"})
    assert (failures, after) == (2, before + 2)

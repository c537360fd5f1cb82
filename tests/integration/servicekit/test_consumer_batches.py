"""A fetched batch is applied in one transaction, yet each event once, in order, and alone when
it fails: the idempotent consumer's batches against the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from contracts.envelope import Envelope

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.crashing_workers import CRASH_EXIT_CODE
from tests.integration.servicekit.effects import (
    commit_events,
    effect_counts,
    effect_transactions,
    make_consumer,
    make_relay,
    outbox_ids,
    record_effect,
    record_effects,
    user_registered,
    wait_until,
)
from tests.integration.servicekit.test_dead_letters import _headers, _read_all
from tests.integration.servicekit.test_delivery_guarantees import (
    _seen,
    all_applied_once,
    run_crashing,
    running,
)

pytestmark = pytest.mark.integration


async def publish_all(engine, schema: str) -> set[uuid.UUID]:
    """The outbox's events, on the topic before any consumer starts (so one fetch holds them)."""
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA)):
        await wait_until(lambda: _none_waiting(engine), what="the outbox published")
    return set(await outbox_ids(engine))


async def _none_waiting(engine) -> bool:
    return not await outbox_ids(engine, published=False)


async def test_a_poison_event_in_a_batch_is_dead_lettered_and_the_others_are_applied_once_in_order(
    engine, schema, topic
):
    before, doomed, after = (
        [user_registered(0), user_registered(1)],
        user_registered(2),
        [
            user_registered(3),
            user_registered(4),
        ],
    )
    await commit_events(engine, topic, [*before, doomed, *after])
    await publish_all(engine, schema)
    ids = await outbox_ids(engine)
    attempts = 0

    async def refuse_the_doomed(session, event, envelope):
        nonlocal attempts
        await record_effect(session, event, envelope)  # written, then rolled back
        if event.user_id == doomed.user_id:
            attempts += 1
            raise RuntimeError("the ward system rejected this user")

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA, handler=refuse_the_doomed, max_attempts=3)
    async with running(consumer):
        parked = await _read_all(topic + ".dlq", expected=1)
        await wait_until(lambda: _seen(group, topic, applied=4), what="the four good events")

    assert attempts == 3  # its try in the batch was the first
    assert _headers(parked[0])["dlq-attempts"] == "3"
    assert Envelope.model_validate_json(parked[0].value).event_id == ids[2]
    await all_applied_once(engine, set(ids) - {ids[2]})
    written = await effect_transactions(engine)
    assert [user for user, _ in written] == [e.user_id for e in (*before, *after)]
    # The two before the poison in one transaction, the two after it in another.
    transactions = [xmin for _, xmin in written]
    assert transactions[0] == transactions[1] != transactions[2] == transactions[3]


@pytest.mark.parametrize("handlers", ["batch", "many"])
async def test_a_consumer_killed_between_a_batch_commit_and_its_offset_commit_applies_none_twice(
    engine, schema, topic, handlers
):
    await commit_events(engine, topic, [user_registered(i) for i in range(30)])
    events = await publish_all(engine, schema)
    group = f"g-{uuid.uuid4().hex[:8]}"

    exit_code = await run_crashing(
        "consumer", KIT_DATABASE_URL, schema, KAFKA.bootstrap_servers, topic, group, handlers
    )

    assert exit_code == CRASH_EXIT_CODE
    before_crash = await effect_transactions(engine)
    assert len(before_crash) > 1, "the dying consumer committed no batch"
    assert len({xmin for _, xmin in before_crash}) == 1, "the batch took several transactions"
    many = record_effects if handlers == "many" else None
    async with running(make_consumer(engine, topic, group, KAFKA, many=many)):
        await wait_until(
            lambda: _seen(group, topic, duplicate=len(before_crash)), what="the batch again"
        )
        await wait_until(lambda: _all_of(engine, events), what="every effect")
    await all_applied_once(engine, events)


async def test_a_run_with_a_handler_of_many_is_applied_in_one_call_each_once_in_order(
    engine, schema, topic
):
    users = [user_registered(i) for i in range(30)]
    await commit_events(engine, topic, users)
    events = await publish_all(engine, schema)
    calls: list[int] = []

    async def count_calls(session, items):
        calls.append(len(items))
        await record_effects(session, items)

    async def never_alone(session, event, envelope):
        raise AssertionError("a run's event was applied alone")

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA, handler=never_alone, many=count_calls)
    async with running(consumer):
        await wait_until(lambda: _all_of(engine, events), what="every effect")

    await all_applied_once(engine, events)
    assert sum(calls) == 30 and len(calls) < 30  # one fetch is one batch (or a few)
    written = await effect_transactions(engine)
    assert [user for user, _ in written] == [u.user_id for u in users]
    assert len({xmin for _, xmin in written}) == len(calls)


async def test_a_poison_event_in_a_run_is_dead_lettered_and_the_others_are_applied_once_in_order(
    engine, schema, topic
):
    users = [user_registered(i) for i in range(5)]
    doomed = users[2]
    await commit_events(engine, topic, users)
    await publish_all(engine, schema)
    ids = await outbox_ids(engine)
    attempts = 0

    async def refuse_runs_with_the_doomed(session, items):
        await record_effects(session, items)  # written, then rolled back
        if any(event.user_id == doomed.user_id for event, _ in items):
            raise RuntimeError("the ward system rejected a user")

    async def refuse_the_doomed(session, event, envelope):
        nonlocal attempts
        await record_effect(session, event, envelope)
        if event.user_id == doomed.user_id:
            attempts += 1
            raise RuntimeError("the ward system rejected this user")

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(
        engine,
        topic,
        group,
        KAFKA,
        handler=refuse_the_doomed,
        many=refuse_runs_with_the_doomed,
        max_attempts=3,
    )
    async with running(consumer):
        parked = await _read_all(topic + ".dlq", expected=1)
        await wait_until(lambda: _seen(group, topic, applied=4), what="the four good events")

    assert attempts == 3  # its try among the others, one by one, was the first
    assert Envelope.model_validate_json(parked[0].value).event_id == ids[2]
    await all_applied_once(engine, set(ids) - {ids[2]})
    written = await effect_transactions(engine)
    assert [user for user, _ in written] == [u.user_id for u in users if u is not doomed]


async def test_with_batches_off_each_event_takes_a_transaction_of_its_own(engine, schema, topic):
    await commit_events(engine, topic, [user_registered(i) for i in range(5)])
    events = await publish_all(engine, schema)
    group = f"g-{uuid.uuid4().hex[:8]}"

    async with running(make_consumer(engine, topic, group, KAFKA, transaction_per_batch=False)):
        await wait_until(lambda: _all_of(engine, events), what="every effect")

    await all_applied_once(engine, events)
    assert len({xmin for _, xmin in await effect_transactions(engine)}) == 5


async def test_a_gathering_consumer_takes_a_stream_of_events_in_few_transactions(
    engine, schema, topic
):
    """After a poll that brought events, a consumer with `gather_seconds` waits out the rest of
    that time before it polls again: nine events committed 30 ms apart meanwhile come in one
    fetch (or two) and so one transaction (or two), not nine; an event after a quiet spell is
    handed over at once."""
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA, gather_seconds=1.0)
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA), consumer):
        await commit_events(engine, topic, [user_registered(0)])
        await wait_until(lambda: _count(engine, 1), what="the first effect (the group joined)")
        await asyncio.sleep(1.5)  # a quiet spell, longer than the gathering
        committed = time.monotonic()
        await commit_events(engine, topic, [user_registered(1)])
        await wait_until(lambda: _count(engine, 2), interval=0.02, what="the second effect")
        assert time.monotonic() - committed < 0.7  # not held back for a gathering
        for n in range(2, 11):
            await commit_events(engine, topic, [user_registered(n)])
            await asyncio.sleep(0.03)
        await wait_until(lambda: _count(engine, 11), what="every effect")

    written = await effect_transactions(engine)
    assert len(written) == 11
    streamed = {xmin for _, xmin in written[2:]}
    assert len(streamed) <= 2, written  # without gathering: a transaction every event or two


async def _count(engine, count: int) -> bool:
    return len(await effect_counts(engine)) >= count


async def _all_of(engine, events: set[uuid.UUID]) -> bool:
    return events <= set(await effect_counts(engine))

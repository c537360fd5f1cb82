"""End-to-end event latency: outbox commit -> relay -> Kafka -> consumer's database commit.

The relay and the consumer run in processes of their own, as they do in production. Two relays
are measured side by side in one run on the same machine, database and broker: the real one,
woken by LISTEN/NOTIFY on commit, and the same relay deaf to NOTIFY (polling every 1 s), so the
ratio shows what NOTIFY buys. A backlog is then drained by a consumer applying a transaction per
fetched batch (its handler called for each event, then a handler of many called once for each
run of events) and by one applying a transaction per event, side by side.

The LISTEN/NOTIFY relay's run starts with `BENCH_EVENT_WARMUP` events at the same rate through
the same relay, topic and consumer, reported on a line of their own and left out of the run's
figures: the relay and consumer here are processes started a moment before, where a service's
have run for hours, and `make bench` runs this first, right after `make up` has started the
broker, whose first seconds of traffic have the longest tail (docs/performance.md, tenth round).
The warm-up line shows that start, the run's line the system as it serves all day.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from servicekit.db import UnitOfWork, create_engine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL, ROOT
from tests.integration.servicekit.effects import create_schema, effect_counts, user_registered

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000"))
RATE_PER_SECOND = 200
BACKLOG = int(os.environ.get("BENCH_EVENT_BACKLOG", "10000"))
WARMUP = int(os.environ.get("BENCH_EVENT_WARMUP", "1000"))


async def measure(relay_kind: str, events: int, warmup: int = 0) -> tuple[list[float], list[float]]:
    """Latencies in seconds of `warmup` events, then of `events` events, committed one per
    transaction at a steady rate, without a pause between them."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    topic = f"bench.{uuid.uuid4().hex[:10]}.v1"
    engine = await _fresh_schema(schema, topic)
    timings = Path(tempfile.mkstemp(suffix=".json")[1])
    workers = [
        await _spawn("relay", schema, relay_kind),
        await _spawn("consumer", schema, topic, str(timings), "batch"),
    ]
    try:
        await _commit_one(engine, topic)  # warm-up: connections, metadata, group join
        await _wait_for_effects(engine, 1)
        committed_at: list[dict[uuid.UUID, float]] = [{}, {}]  # the warm-up's, the run's
        for i in range(warmup + events):
            started = time.perf_counter()
            committed_at[i >= warmup][await _commit_one(engine, topic, i)] = time.time()
            await asyncio.sleep(max(0.0, 1 / RATE_PER_SECOND - (time.perf_counter() - started)))
        await _wait_for_effects(engine, warmup + events + 1)
    finally:
        for worker in workers:
            worker.terminate()
            await worker.wait()
        await engine.dispose()
        await _drop_schema_and_topic(schema, topic)
    consumed = json.loads(timings.read_text())
    timings.unlink()
    warming, run = (
        [consumed[str(event_id)] - at for event_id, at in phase.items()] for phase in committed_at
    )
    return warming, run


async def _spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.event_workers", *args, cwd=ROOT
    )


async def _commit_one(engine: AsyncEngine, topic: str, n: int = -1) -> uuid.UUID:
    async with UnitOfWork(async_sessionmaker(engine), producer="bench") as uow:
        envelope = await uow.outbox.add(user_registered(n), topic=topic)
        await uow.commit()
    return envelope.event_id


async def _wait_for_effects(engine: AsyncEngine, n: int, timeout: float = 120) -> None:
    timeout = max(timeout, n / 50)  # a drain one event at a time on a busy machine
    deadline = time.monotonic() + timeout
    while len(await effect_counts(engine)) < n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {n} events arrived within {timeout} s")
        await asyncio.sleep(0.2)


async def _fresh_schema(schema: str, topic: str) -> AsyncEngine:
    admin_engine = create_engine(KIT_DATABASE_URL, pool_size=1)
    async with admin_engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin_engine.dispose()
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1), NewTopic(topic + ".dlq", 1, 1)])
    finally:
        await admin.close()
    engine = create_engine(KIT_DATABASE_URL, pool_size=2, search_path=schema)
    await create_schema(engine)
    return engine


async def _drop_schema_and_topic(schema: str, topic: str) -> None:
    """The benchmark's schema and topics gone: `make bench` leaves the stack as it found it."""
    engine = create_engine(KIT_DATABASE_URL, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.delete_topics([topic, topic + ".dlq"])
    finally:
        await admin.close()


async def measure_throughput(events: int, per_transaction: int = 100) -> dict[str, float]:
    """A backlog of `events` drained, in events/s: by the relay, then (once all is on the topic)
    by a consumer of each kind in turn, each in a group of its own."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    topic = f"bench.{uuid.uuid4().hex[:10]}.v1"
    engine = await _fresh_schema(schema, topic)
    try:
        sessions = async_sessionmaker(engine)
        for start in range(0, events, per_transaction):
            async with UnitOfWork(sessions, producer="bench") as uow:
                for i in range(start, min(start + per_transaction, events)):
                    await uow.outbox.add(user_registered(i), topic=topic)
                await uow.commit()
        started = time.monotonic()
        relay = await _spawn("relay", schema, "notify")
        try:
            await _wait_until_published(engine)
        finally:
            relay.terminate()
            await relay.wait()
        rates = {"relay": events / (time.monotonic() - started)}
        for transactions in ("batch", "many", "single"):
            rates[transactions] = await _drain(engine, schema, topic, events, transactions)
    finally:
        await engine.dispose()
        await _drop_schema_and_topic(schema, topic)
    return rates


async def _drain(engine: AsyncEngine, schema: str, topic: str, events: int, kind: str) -> float:
    """Events/s a consumer applies from the backlog, from its first commit to its last (so
    joining the group is not counted; the first commit's events are not either)."""
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE effects"))
    timings = Path(tempfile.mkstemp(suffix=".json")[1])
    consumer = await _spawn("consumer", schema, topic, str(timings), kind)
    try:
        await _wait_for_effects(engine, events)
    finally:
        consumer.terminate()
        await consumer.wait()
    committed = sorted(json.loads(timings.read_text()).values())
    timings.unlink()
    first_commit = committed.count(committed[0])
    return (len(committed) - first_commit) / (committed[-1] - committed[0])


async def _wait_until_published(engine: AsyncEngine) -> None:
    while True:
        async with engine.connect() as conn:
            if not await conn.scalar(
                text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            ):
                return
        await asyncio.sleep(0.05)


def _row(name: str, seconds: list[float]) -> tuple[str, int, float, float, float]:
    ms = [s * 1000 for s in seconds]
    return name, len(ms), _percentile(ms, 0.5), _percentile(ms, 0.99), max(ms)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


async def main() -> None:
    print(f"\n== event latency: outbox commit -> consumer commit, {EVENTS} events")
    print(
        f"   one per transaction at {RATE_PER_SECOND}/s; relay and consumer in their own processes"
    )
    print(
        f"   the LISTEN/NOTIFY relay's run after {WARMUP} events of warm-up in the same processes"
    )
    rows = []
    for name, kind, n in (
        ("LISTEN/NOTIFY relay", "notify", EVENTS),
        ("polling-only relay (1 s)", "polling", max(EVENTS // 4, 100)),
    ):
        warming, run = await measure(kind, n, WARMUP if kind == "notify" else 0)
        if warming:
            rows.append(_row(f"{name}, warm-up", warming))
        rows.append(_row(name, run))
    print(f"{'relay':<36}{'events':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, n, p50, p99, worst in rows:
        print(f"{name:<36}{n:>8}{p50:>10.1f}{p99:>10.1f}{worst:>10.1f}")
    (_, _, notify_p50, notify_p99, _), (_, _, poll_p50, poll_p99, _) = rows[-2:]
    print(f"ratio polling/notify: p50 {poll_p50 / notify_p50:.1f}x,", end=" ")
    print(f"p99 {poll_p99 / notify_p99:.1f}x")

    rates = await measure_throughput(BACKLOG)
    print(f"\n== a backlog of {BACKLOG} events (100 per transaction), one relay, one consumer")
    print(f"relay published {rates['relay']:,.0f} events/s")
    print(f"{'consumer':<44}{'events/s':>10}")
    print(f"{'a transaction per fetched batch':<44}{rates['batch']:>10,.0f}")
    print(f"{'  the same, with a handler of many':<44}{rates['many']:>10,.0f}")
    print(f"{'a transaction per event':<44}{rates['single']:>10,.0f}")
    print(f"ratio batch/per event: {rates['batch'] / rates['single']:.1f}x,", end=" ")
    print(f"with a handler of many {rates['many'] / rates['single']:.1f}x")

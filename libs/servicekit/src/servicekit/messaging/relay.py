"""The outbox relay: publishes committed outbox rows to Kafka in order, then marks them sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder

from servicekit.db_connections import ConnectOptions
from servicekit.db_errors import is_connection_failure
from servicekit.kafka import RELAY_BATCH_BYTES, KafkaConnection
from servicekit.messaging.parking import (
    FETCH_SQL,
    MARK_SQL,
    PURGE_SQL,
    is_broker_outage,
    record_failure,
    report_backlog,
)
from servicekit.messaging.schema import OUTBOX_CHANNEL
from servicekit.metrics import EVENTS_PUBLISHED, OUTBOX_PUBLISH_SECONDS
from servicekit.tracing import publishing

log = logging.getLogger(__name__)

# One relay per database schema publishes at a time, so rows leave in id order.
_LEADER_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.outbox_relay'))"


# How often the backlog gauges are measured while rows keep coming (Prometheus scrapes far less
# often).
_BUSY_REPORT_SECONDS = 1.0


class ProducerSpoilt(Exception):
    """A send failed: the producer's sequence for that partition is broken, start a new one."""


@dataclass(frozen=True, slots=True)
class RelayConfig:
    dsn: str
    kafka: KafkaConnection
    client_id: str
    batch_size: int = 500
    poll_seconds: float = 1.0
    retention_hours: int = 168
    search_path: str | None = None
    # Failed publishing attempts of a row, each sent alone, before it is parked.
    max_attempts: int = 5
    # TLS and timeouts of its connection, as the service's pool has them.
    database: ConnectOptions = field(default_factory=ConnectOptions)


class OutboxRelay:
    """Woken by LISTEN/NOTIFY on commit, and by a poll as a safety net."""

    def __init__(
        self,
        config: RelayConfig,
        producer_factory: Callable[[], AIOKafkaProducer],
    ) -> None:
        self.config = config
        self._producer_factory = producer_factory
        self._wake = asyncio.Event()
        self._last_purge = 0.0
        self._last_report = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; reconnect after any failure, never give up."""
        while not stop.is_set():
            try:
                await self._run_connected(stop)
            except ProducerSpoilt:
                pass  # the pause below spaces a failing row's attempts
            except Exception as exc:
                if not (is_connection_failure(exc) or is_broker_outage(exc)):
                    log.exception("outbox relay failed, retrying")
                else:  # the database or the broker is away: expected, and said once a second
                    log.warning("outbox relay interrupted, retrying", extra={"error": repr(exc)})
            await sleep_unless(stop, 1.0)

    async def _run_connected(self, stop: asyncio.Event) -> None:
        conn = await self.config.database.connect(
            self.config.dsn, search_path=self.config.search_path
        )
        producer = self._producer_factory()
        try:
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
            # Reported before Kafka is reached, so a backlog shows while the broker is down.
            await self.report_backlog(conn)
            await producer.start()
            while not stop.is_set():
                await self.report_backlog(conn)
                if not await conn.fetchval(_LEADER_LOCK_SQL):
                    await sleep_unless(stop, self.config.poll_seconds * 5)
                    continue
                await self._publish_until_empty(conn, producer, stop)
        finally:
            await producer.stop()
            await conn.close()

    async def _publish_until_empty(
        self, conn: asyncpg.Connection, producer: AIOKafkaProducer, stop: asyncio.Event
    ) -> None:
        while not stop.is_set():
            self._wake.clear()
            rows = await conn.fetch(FETCH_SQL, self.config.batch_size)
            if rows:
                started = time.perf_counter()
                failed = await self.publish(producer, rows)
                await self.mark_sent(conn, [row["id"] for row in rows if row["id"] not in failed])
                OUTBOX_PUBLISH_SECONDS.observe(time.perf_counter() - started)
                if failed:
                    await self._publish_alone(conn, [row for row in rows if row["id"] in failed])
                    await self.report_backlog(conn)
                    raise ProducerSpoilt
                await self._report_backlog_if_due(conn)
                # The fetch saw every row committed before the wake-up was cleared; a later one
                # has notified since. So a batch that was not full, and no notification, leaves
                # nothing to fetch: the fetch that would find nothing is not sent.
                if len(rows) == self.config.batch_size or self._wake.is_set():
                    continue
            else:
                await self.report_backlog(conn)
                await self._purge_if_due(conn)
            await wait_for_either(self._wake, stop, self.config.poll_seconds)

    async def _report_backlog_if_due(self, conn: asyncpg.Connection) -> None:
        """While it publishes, the gauges are measured once a second, not on every batch (a
        query each); idle, on every poll."""
        if time.monotonic() - self._last_report >= _BUSY_REPORT_SECONDS:
            await self.report_backlog(conn)

    async def report_backlog(self, conn: asyncpg.Connection) -> None:
        """Sets the gauges: rows waiting, how long the oldest has waited, rows parked."""
        self._last_report = time.monotonic()
        await report_backlog(conn)

    async def publish(
        self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]
    ) -> dict[int, BaseException]:
        """Send the batch and wait for every acknowledgement; the rows that failed, by id.

        In rounds, a Kafka record batch per partition: each round sends, for every partition,
        its next rows in id order (as many as one batch holds) and waits for all of them. The
        broker writes a batch whole or not at all, and a partition's next batch leaves only
        after the one before it was acknowledged, so none leaves after one that failed: order
        per key holds whatever the broker did with the failed batch. Rows of one key, however
        many, take one round trip, not one each. A failed batch fails its rows and holds back
        the partition's later ones (`_publish_alone` then finds the one at fault).
        Raises when the broker is unreachable: that is no row's fault.
        """
        failed: dict[int, BaseException] = {}
        waiting = await _by_partition(producer, rows)
        while waiting:
            sent: list[tuple[TopicPartition, asyncio.Future[Any], list[asyncpg.Record]]] = []
            for tp, queue in waiting.items():
                batch, taken = _next_batch(producer, queue)
                try:
                    ack = await producer.send_batch(batch, tp.topic, partition=tp.partition)
                except Exception as exc:
                    if is_broker_outage(exc):
                        raise
                    _fail(failed, tp, taken, queue, exc)
                    continue
                sent.append((tp, ack, taken))
            results = await asyncio.gather(*(ack for _, ack, _ in sent), return_exceptions=True)
            for (tp, _, taken), result in zip(sent, results, strict=True):
                if isinstance(result, BaseException):
                    if is_broker_outage(result):
                        raise result
                    _fail(failed, tp, taken, waiting[tp], result)
                    continue
                for row in taken:
                    EVENTS_PUBLISHED.labels(row["topic"]).inc()
            waiting = {tp: queue for tp, queue in waiting.items() if queue}
        return failed

    async def _publish_alone(self, conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> None:
        """After a failed batch: each row on its own, so a failure is that row's alone. A new
        producer follows each failure (its partition's sequence is broken); a row's key stays
        held back for this pass once a row of it failed."""
        producer: AIOKafkaProducer | None = None
        failed_keys: set[str] = set()
        try:
            for row in rows:
                if row["message_key"] in failed_keys:
                    continue
                if producer is None:
                    producer = self._producer_factory()
                    await producer.start()
                error = (await self.publish(producer, [row])).get(row["id"])
                if error is None:
                    await self.mark_sent(conn, [row["id"]])
                    continue
                failed_keys.add(row["message_key"])
                await record_failure(conn, row, error, self.config.max_attempts)
                await producer.stop()
                producer = None
        finally:
            if producer is not None:
                await producer.stop()

    async def mark_sent(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        # A crash before this line republishes the batch; consumers drop the duplicates.
        await conn.execute(MARK_SQL, ids)

    async def _purge_if_due(self, conn: asyncpg.Connection) -> None:
        if time.monotonic() - self._last_purge < 600:
            return
        self._last_purge = time.monotonic()
        await conn.execute(PURGE_SQL, self.config.retention_hours)


async def _by_partition(
    producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]
) -> dict[TopicPartition, deque[asyncpg.Record]]:
    """`rows` by the partition their key hashes to, each partition's in id order: Kafka's
    default partitioner (murmur2 of the key), the one `create_producer`'s producers use, so a
    key's rows land where any other send of that key would."""
    partitions: dict[str, list[int]] = {}
    partition_of: dict[tuple[str, str], int] = {}
    by_partition: dict[TopicPartition, deque[asyncpg.Record]] = {}
    for row in rows:
        topic, key = row["topic"], row["message_key"]
        if (partition := partition_of.get((topic, key))) is None:
            if (known := partitions.get(topic)) is None:
                known = partitions[topic] = sorted(await producer.partitions_for(topic))
            partition = partition_of[topic, key] = _PARTITIONER(key.encode(), known, known)
        by_partition.setdefault(TopicPartition(topic, partition), deque()).append(row)
    return by_partition


def _next_batch(
    producer: AIOKafkaProducer, queue: deque[asyncpg.Record]
) -> tuple[BatchBuilder, list[asyncpg.Record]]:
    """A record batch of the next rows of `queue` that fit in one (always at least one), taken
    off it. Whether a row fits is judged before its publishing span starts (a row's record size
    is bounded from above), so each row sent has one span, in the batch that carries it."""
    batch = producer.create_batch()
    taken: list[asyncpg.Record] = []
    filled = 0
    while queue:
        row = queue[0]
        key, value = row["message_key"].encode(), row["envelope"].encode()
        size = len(key) + len(value) + len(row["event_type"]) + _RECORD_OVERHEAD_BYTES
        if taken and filled + size > RELAY_BATCH_BYTES:
            break
        headers = [
            ("event_type", row["event_type"].encode()),
            ("event_id", str(row["event_id"]).encode()),
        ]
        with publishing(row["topic"], row["traceparent"]) as trace_headers:
            appended = batch.append(
                timestamp=None, key=key, value=value, headers=headers + trace_headers
            )
        if appended is None:  # full after all (a producer of smaller batches): the next takes it
            break
        filled += size
        taken.append(queue.popleft())
    batch.close()
    return batch, taken


def _fail(
    failed: dict[int, BaseException],
    tp: TopicPartition,
    taken: list[asyncpg.Record],
    queue: deque[asyncpg.Record],
    error: BaseException,
) -> None:
    """A batch of `tp` failed: its rows with `error`, the partition's later rows held back."""
    failed.update((row["id"], error) for row in taken)
    failed.update((row["id"], _HELD_BACK) for row in queue)
    queue.clear()


_PARTITIONER = DefaultPartitioner()
# A record's bytes beyond its key, its value and its event type, at most: the headers' names,
# the event id, a trace's `traceparent` (the relay's spans carry no `tracestate`), and the
# record's varints: about 190 bytes, so a fill judged with this is close to the real one.
_RECORD_OVERHEAD_BYTES = 256


class _HeldBack(Exception):
    """Not sent: a row before it with the same key failed in this batch."""


_HELD_BACK = _HeldBack()


async def wait_for_either(event: asyncio.Event, stop: asyncio.Event, seconds: float | None) -> None:
    """Until `event` or `stop` is set, or `seconds` pass (forever when None)."""
    waiters = {asyncio.ensure_future(event.wait()), asyncio.ensure_future(stop.wait())}
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleeps `seconds`, or less when `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)

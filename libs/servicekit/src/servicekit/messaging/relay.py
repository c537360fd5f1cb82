"""The outbox relay: publishes committed outbox rows to Kafka in order, then marks them sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer

from servicekit.messaging.schema import OUTBOX_CHANNEL
from servicekit.metrics import (
    EVENTS_PUBLISHED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_SECONDS,
    OUTBOX_PUBLISH_SECONDS,
)
from servicekit.tracing import publishing

log = logging.getLogger(__name__)

# One relay per database schema publishes at a time, so rows leave in id order.
_LEADER_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.outbox_relay'))"
_FETCH_SQL = """
SELECT id, topic, message_key, event_type, event_id, envelope::text AS envelope, traceparent
FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1
"""
_MARK_SQL = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
_BACKLOG_SQL = """
SELECT count(*) AS waiting, extract(epoch FROM now() - min(created_at)) AS oldest_seconds
FROM outbox WHERE published_at IS NULL
"""
_PURGE_SQL = "DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)"


@dataclass(frozen=True, slots=True)
class RelayConfig:
    dsn: str
    bootstrap_servers: str
    client_id: str
    batch_size: int = 500
    poll_seconds: float = 1.0
    retention_hours: int = 168
    search_path: str | None = None


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

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; reconnect after any failure, never give up."""
        while not stop.is_set():
            try:
                await self._run_connected(stop)
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                log.warning("outbox relay interrupted, retrying", extra={"error": repr(exc)})
            except Exception:
                log.exception("outbox relay failed, retrying")
            await sleep_unless(stop, 1.0)

    async def _run_connected(self, stop: asyncio.Event) -> None:
        settings = {"search_path": self.config.search_path} if self.config.search_path else None
        conn = await asyncpg.connect(self.config.dsn, server_settings=settings)
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
            rows = await conn.fetch(_FETCH_SQL, self.config.batch_size)
            if rows:
                started = time.perf_counter()
                await self.publish(producer, rows)
                await self.mark_sent(conn, [row["id"] for row in rows])
                OUTBOX_PUBLISH_SECONDS.observe(time.perf_counter() - started)
                await self.report_backlog(conn)
                continue
            await self.report_backlog(conn)
            await self._purge_if_due(conn)
            await wait_for_either(self._wake, stop, self.config.poll_seconds)

    async def report_backlog(self, conn: asyncpg.Connection) -> None:
        """Sets the backlog gauges: rows waiting, and how long the oldest has waited."""
        backlog = await conn.fetchrow(_BACKLOG_SQL)
        OUTBOX_BACKLOG.set(backlog["waiting"])
        OUTBOX_OLDEST_SECONDS.set(float(backlog["oldest_seconds"] or 0))

    async def publish(self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]) -> None:
        """Send the batch in id order and wait until the broker has acknowledged all of it."""
        acks = []
        for row in rows:
            headers = [
                ("event_type", row["event_type"].encode()),
                ("event_id", str(row["event_id"]).encode()),
            ]
            with publishing(row["topic"], row["traceparent"]) as trace_headers:
                acks.append(
                    await producer.send(
                        row["topic"],
                        value=row["envelope"].encode(),
                        key=row["message_key"].encode(),
                        headers=headers + trace_headers,
                    )
                )
        await asyncio.gather(*acks)
        for row in rows:
            EVENTS_PUBLISHED.labels(row["topic"]).inc()

    async def mark_sent(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        # A crash before this line republishes the batch; consumers drop the duplicates.
        await conn.execute(_MARK_SQL, ids)

    async def _purge_if_due(self, conn: asyncpg.Connection) -> None:
        if time.monotonic() - self._last_purge < 600:
            return
        self._last_purge = time.monotonic()
        await conn.execute(_PURGE_SQL, self.config.retention_hours)


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

"""The SIU feed's MLLP delivery: one worker per configured endpoint, in every process.

A worker claims its endpoint's due messages `FOR UPDATE SKIP LOCKED` (so two processes never
send one message at the same time), at most one per case: a message waits until every earlier
message of its case to that endpoint was acknowledged AA, while other cases go on. It sends them
over one MLLP connection, holding the claim until each ACK is written down:

- AA (or CA): delivered.
- AE (or CE): tried again after a backoff that doubles per attempt, capped.
- AR (or CR): parked with the ACK's text; the case's later messages wait behind it until an
  operator releases it (`state = 'pending'`) or gives it up (`state = 'abandoned'`).
- refused, dropped, timed out, or an answer that is no ACK of it: nothing is counted against the
  message; the worker backs off (doubling, capped) and sends it again.

Delivery is at least once: an ACK lost with the connection (or a process stopped between the
ACK and its commit) means the message goes again with the same MSH-10, by which the receiver
may recognise it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
from servicekit.db_connections import ConnectOptions
from servicekit.db_errors import is_connection_failure
from servicekit.messaging.relay import sleep_unless, wait_for_either
from servicekit.service import Runtime, Worker
from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interop_service.db.siu import DELIVERIES_CHANNEL, siu_deliveries, siu_endpoints, siu_messages
from interop_service.settings import InteropSettings, MllpEndpoint
from interop_service.siu import metrics
from interop_service.siu.mllp import Ack, MllpConnection, MllpProtocolError, MllpUnavailable

log = logging.getLogger(__name__)
# How often an idle worker measures its endpoint's backlog for the gauges.
MEASURE_SECONDS = 5.0
# A round stops sending after this long and commits what it has: its transaction (holding the
# claims) stays short even when a receiver answers slowly.
ROUND_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    connect_timeout: float = 5.0
    ack_timeout: float = 10.0
    retry_initial: float = 1.0
    retry_max: float = 60.0
    poll: float = 0.1
    batch_size: int = 100

    @classmethod
    def of(cls, settings: InteropSettings) -> DeliveryConfig:
        return cls(
            connect_timeout=settings.mllp_connect_timeout_seconds,
            ack_timeout=settings.mllp_ack_timeout_seconds,
            retry_initial=settings.mllp_retry_initial_seconds,
            retry_max=settings.mllp_retry_max_seconds,
            poll=settings.mllp_poll_seconds,
            batch_size=settings.mllp_batch_size,
        )

    def backoff(self, attempts: int) -> float:
        return min(self.retry_max, self.retry_initial * 2.0 ** max(0, attempts - 1))


@dataclass(frozen=True, slots=True)
class Listening:
    """Where a worker LISTENs for new deliveries: a connection of its own, opened like the
    pool's (TLS, timeouts). Without it the worker only polls."""

    dsn: str
    options: ConnectOptions
    search_path: str | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    message_id: int
    control_id: str
    er7: str
    attempts: int


def delivery_workers(runtime: Runtime[InteropSettings]) -> Sequence[Worker]:
    config = DeliveryConfig.of(runtime.settings)
    listening = Listening(runtime.dsn, runtime.connect_options, runtime.settings.search_path)
    return [
        DeliveryWorker(endpoint, runtime.sessions, config, listening=listening)
        for endpoint in runtime.settings.mllp_endpoints
    ]


async def register_endpoint(session: AsyncSession, name: str) -> None:
    """From now on every message built gets a delivery to `name`."""
    await session.execute(insert(siu_endpoints).values(name=name).on_conflict_do_nothing())


class DeliveryWorker:
    def __init__(
        self,
        endpoint: MllpEndpoint,
        sessions: async_sessionmaker[AsyncSession],
        config: DeliveryConfig,
        *,
        listening: Listening | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.config = config
        self._sessions = sessions
        self._listening = listening
        self._wake = asyncio.Event()
        self._connection = MllpConnection(
            endpoint.host,
            endpoint.port,
            connect_timeout=config.connect_timeout,
            ack_timeout=config.ack_timeout,
        )
        self._unreachable = 0  # failed rounds in a row: the backoff's exponent
        self._measured_at = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop`; a message in hand when it comes is finished first."""
        name = self.endpoint.name
        log.info("SIU delivery to %s at %s:%d", name, self.endpoint.host, self.endpoint.port)
        listener = asyncio.create_task(self._listen(stop)) if self._listening else None
        try:
            while not stop.is_set():
                try:
                    await self._register()
                    break
                except Exception:
                    log.exception("SIU endpoint %s could not be registered; trying again", name)
                    await sleep_unless(stop, 1.0)
            while not stop.is_set():
                await self.measure()
                try:
                    sent = await self.deliver_round()
                    self._unreachable = 0
                except MllpUnavailable as exc:
                    self._unreachable += 1
                    wait = self.config.backoff(self._unreachable)
                    log.warning("SIU endpoint %s: %s; again in %.1f s", name, exc, wait)
                    await sleep_unless(stop, wait)
                    continue
                except Exception as exc:
                    if is_connection_failure(exc):
                        log.warning("SIU delivery to %s: the database is out of reach", name)
                    else:
                        log.exception("SIU delivery to %s failed; trying again", name)
                    await sleep_unless(stop, 1.0)
                    continue
                if sent < self.config.batch_size:
                    await wait_for_either(self._wake, stop, self.config.poll)
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            await self._connection.close()

    async def _listen(self, stop: asyncio.Event) -> None:
        """Wakes the worker when a message is built; the poll covers the gaps."""
        assert self._listening is not None
        where = self._listening
        while not stop.is_set():
            try:
                conn = await where.options.connect(where.dsn, search_path=where.search_path)
                try:
                    await self._listen_on(conn, stop)
                finally:
                    await conn.close()
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                log.warning("SIU delivery listener interrupted", extra={"error": repr(exc)})
            await sleep_unless(stop, 1.0)

    async def _listen_on(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        await conn.add_listener(DELIVERIES_CHANNEL, lambda *_: self._wake.set())
        self._wake.set()  # whatever was built while nobody listened
        await wait_for_either(lost, stop, None)

    async def _register(self) -> None:
        async with self._sessions() as session, session.begin():
            await register_endpoint(session, self.endpoint.name)

    async def deliver_round(self) -> int:
        """Claims the endpoint's due messages and sends them; how many were claimed.

        Raises `MllpUnavailable` after writing down what was acknowledged before the failure.
        """
        self._wake.clear()
        async with self._sessions() as session:
            async with session.begin():
                claimed = await self._claim(session)
                failure: MllpUnavailable | None = None
                loop = asyncio.get_running_loop()
                ends = loop.time() + ROUND_SECONDS
                delivered: list[int] = []  # acknowledged AA: written in one statement
                for message in claimed:
                    if loop.time() > ends:
                        break  # the rest stay due, for the next round
                    try:
                        ack = await self._connection.exchange(message.er7)
                        if ack.control_id != message.control_id:
                            raise MllpProtocolError(
                                f"an ACK of {ack.control_id[:20]!r}, not of {message.control_id}"
                            )
                    except MllpUnavailable as exc:
                        await self._failed(session, message, str(exc))
                        reason = "protocol" if isinstance(exc, MllpProtocolError) else "unreachable"
                        metrics.RETRIED.labels(self.endpoint.name, reason).inc()
                        failure = exc
                        break
                    if ack.accepted:
                        delivered.append(message.message_id)
                    else:
                        await self._answered(session, message, ack)
                if delivered:
                    await session.execute(
                        _DELIVERED, {"for_endpoint": self.endpoint.name, "message_ids": delivered}
                    )
                    metrics.DELIVERED.labels(self.endpoint.name).inc(len(delivered))
            if failure is not None:
                raise failure
            return len(claimed)

    async def _claim(self, session: AsyncSession) -> list[Claimed]:
        rows = await session.execute(
            _CLAIM, {"for_endpoint": self.endpoint.name, "batch": self.config.batch_size}
        )
        return [Claimed(r.message_id, r.control_id, r.er7, r.attempts) for r in rows]

    async def _answered(self, session: AsyncSession, message: Claimed, ack: Ack) -> None:
        name = self.endpoint.name
        if ack.accepted:
            await self._set(session, message, state="delivered", delivered_at=func.now())
            metrics.DELIVERED.labels(name).inc()
        elif ack.rejected:
            reason = f"{ack.code}: {ack.text}" if ack.text else ack.code
            await self._set(
                session, message, state="parked", parked_at=func.now(), last_error=reason
            )
            metrics.PARKED.labels(name).inc()
            log.error("SIU %s rejected by %s (%s): parked", message.control_id, name, reason)
        else:
            attempts = message.attempts + 1
            wait = timedelta(seconds=self.config.backoff(attempts))
            reason = f"{ack.code}: {ack.text}" if ack.text else ack.code
            await self._set(
                session,
                message,
                attempts=attempts,
                next_attempt_at=func.now() + wait,
                last_error=reason,
            )
            metrics.RETRIED.labels(name, "application_error").inc()
            log.warning(
                "SIU %s: %s answered %s; again in %s", message.control_id, name, reason, wait
            )

    async def _failed(self, session: AsyncSession, message: Claimed, error: str) -> None:
        """The message stays due (no attempt counted: the endpoint failed, not the message)."""
        await self._set(session, message, last_error=error[:500])

    async def _set(self, session: AsyncSession, message: Claimed, **values: object) -> None:
        await session.execute(
            update(siu_deliveries)
            .where(
                siu_deliveries.c.endpoint == self.endpoint.name,
                siu_deliveries.c.message_id == message.message_id,
            )
            .values(**values)
        )

    async def measure(self, *, now: bool = False) -> None:
        """Sets the endpoint's backlog gauges, at most every MEASURE_SECONDS unless `now`."""
        at = asyncio.get_running_loop().time()
        if not now and at - self._measured_at < MEASURE_SECONDS:
            return
        self._measured_at = at
        d = siu_deliveries
        try:
            async with self._sessions() as session, session.begin():
                oldest, parked = (
                    await session.execute(
                        select(
                            func.extract(
                                "epoch",
                                func.now()
                                - func.min(d.c.created_at).filter(d.c.state == "pending"),
                            ),
                            func.count().filter(d.c.state == "parked"),
                        ).where(
                            d.c.endpoint == self.endpoint.name,
                            d.c.state.in_(("pending", "parked")),
                        )
                    )
                ).one()
        except Exception:
            log.warning("SIU backlog of %s not measured", self.endpoint.name, exc_info=True)
            return
        metrics.OLDEST_UNDELIVERED.labels(self.endpoint.name).set(float(oldest or 0))
        metrics.PARKED_NOW.labels(self.endpoint.name).set(parked)


def _claim_statement() -> Select[tuple[int, int, str, str]]:
    """An endpoint's due messages, locked `SKIP LOCKED`, at most `batch`, with their text."""
    d = siu_deliveries
    earlier = d.alias("earlier")
    held_back = exists().where(
        and_(
            earlier.c.endpoint == d.c.endpoint,
            earlier.c.case_id == d.c.case_id,
            earlier.c.message_id < d.c.message_id,
            earlier.c.state.in_(("pending", "parked")),
        )
    )
    due = (
        select(d.c.message_id, d.c.attempts)
        .where(
            d.c.endpoint == bindparam("for_endpoint"),
            d.c.state == "pending",
            d.c.next_attempt_at <= func.now(),
            ~held_back,
        )
        .order_by(d.c.message_id)
        .limit(bindparam("batch", type_=Integer()))
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    return (
        select(due.c.message_id, due.c.attempts, siu_messages.c.control_id, siu_messages.c.er7)
        .join(siu_messages, siu_messages.c.id == due.c.message_id)
        .order_by(due.c.message_id)
    )


# Built once: a statement built per round cost the worker more than its execution.
_CLAIM = _claim_statement()
_DELIVERED = (
    update(siu_deliveries)
    .where(
        siu_deliveries.c.endpoint == bindparam("for_endpoint"),
        siu_deliveries.c.message_id == any_(bindparam("message_ids", type_=ARRAY(BigInteger()))),
    )
    .values(state="delivered", delivered_at=func.now())
)

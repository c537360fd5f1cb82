"""The idempotent consumer: each event's effect is applied once, offsets follow the commit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from contracts.envelope import Envelope, Event
from contracts.registry import parse_envelope
from sqlalchemy import Text, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicekit.db_errors import database_timeout, is_connection_failure
from servicekit.ids import uuid_or_none
from servicekit.kafka import FetchWait, KafkaConnection
from servicekit.logs import causation_id_var, correlation_id_var
from servicekit.messaging.dlq import send_to_dlq
from servicekit.messaging.relay import sleep_unless
from servicekit.messaging.schema import processed_events
from servicekit.metrics import CONSUMER_LAG, CONSUMER_RESTARTS, EVENTS_CONSUMED, EVENTS_FAILED
from servicekit.tracing import consuming, mark_failed

log = logging.getLogger(__name__)

# A batch's event ids into processed_events in one statement, built once (its compiled form is
# cached): the ids that were not there yet.
_RECORD_BATCH = (
    insert(processed_events)
    .from_select(
        ["consumer_group", "event_id", "topic"],
        select(
            bindparam("group", type_=Text),
            func.unnest(bindparam("ids", type_=ARRAY(PG_UUID(as_uuid=True)))),
            func.unnest(bindparam("topics", type_=ARRAY(Text))),
        ),
    )
    .on_conflict_do_nothing()
    .returning(processed_events.c.event_id)
)

_PURGE_INTERVAL_SECONDS = 600
# While events keep coming, the offsets of what was applied are committed at most this often,
# not after every batch: an offset commit is a round trip, and a write to the broker's offsets
# log, per batch, and a batch at a few events a second is an event or two. At once when a poll
# comes back empty, when the database goes away, and on stopping. A consumer that dies reads
# again up to this much, which its processed_events skip (as after any crash before the offset
# commit): the effect is still applied once, and an offset still never passes an effect that
# is not committed.
OFFSET_COMMIT_SECONDS = 1.0

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
# The effect of a run of events of one type, in order, in one go (a statement for all, say);
# given with the `Handler` of one, which applies each alone when the run fails. It runs outside
# any one event's context (causation and correlation ids, span), so it writes no events.
ManyHandler = Callable[[AsyncSession, Sequence[tuple[Any, Envelope]]], Awaitable[None]]
# Called with the raw envelope (a dict) of a message of a handled type that breaks the contract,
# so the service can answer its sender (say, "your request was invalid") before it is parked.
InvalidHandler = Callable[[AsyncSession, dict[str, Any], Exception], Awaitable[None]]


class Unprocessable(Exception):
    """A handler's verdict that retrying cannot help: the message goes straight to the DLQ."""


class DatabaseUnavailable(Exception):
    """The database could not be reached while handling a message: an outage, not the
    message's fault. The message waits (no attempt counted, never dead-lettered)."""


@dataclass(frozen=True, slots=True)
class ConsumerConfig:
    group_id: str
    kafka: KafkaConnection
    client_id: str
    max_attempts: int = 5
    backoff_seconds: float = 0.2
    max_backoff_seconds: float = 5.0
    # Longer than any topic keeps its messages: an id older than that cannot come back.
    processed_retention_days: int = 30
    # A partition's fetched messages are applied in one transaction (each still recorded in
    # processed_events, a failing one then handled alone); False: a transaction per message.
    transaction_per_batch: bool = True
    # After a poll that brought events, the next poll waits until this long after that one
    # came back: what arrives meanwhile comes in one fetch and is applied in one transaction,
    # so a steady stream costs a fetch, a transaction and a commit per gathering rather than
    # per event or two. An event waits at most this much longer; an event after a quiet spell
    # not at all (the long poll hands it over at once). 0: poll again at once (the default,
    # for consumers whose effect someone is waiting for).
    gather_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message of a handled type, read and ready to apply."""

    record: ConsumerRecord
    envelope: Envelope
    event: Event
    handler: Handler
    many: ManyHandler | None = None


class BatchFailed(Exception):
    """A handler failed inside a batch's transaction, which rolled back. `run`: a handler of
    many failed on the run starting at `index`, so which of them failed is not known."""

    def __init__(self, index: int, error: Exception, *, run: bool = False) -> None:
        super().__init__(f"message {index} of the batch failed: {error!r}")
        self.index = index
        self.error = error
        self.run = run


@dataclass
class HandlerMap:
    """Which function handles which event type, per topic."""

    by_topic: dict[str, dict[str, Handler]] = field(default_factory=dict)
    invalid_by_topic: dict[str, dict[str, InvalidHandler]] = field(default_factory=dict)
    many_by_topic: dict[str, dict[str, ManyHandler]] = field(default_factory=dict)

    def on(
        self,
        event_class: type[Event],
        handler: Handler,
        *,
        topic: str | None = None,
        on_invalid: InvalidHandler | None = None,
        many: ManyHandler | None = None,
    ) -> HandlerMap:
        """`many`: the same effect for a run of such events at once (see `ManyHandler`)."""
        name = topic or event_class.topic.name
        self.by_topic.setdefault(name, {})[event_class.event_type] = handler
        if on_invalid is not None:
            self.invalid_by_topic.setdefault(name, {})[event_class.event_type] = on_invalid
        if many is not None:
            self.many_by_topic.setdefault(name, {})[event_class.event_type] = many
        return self

    @property
    def topics(self) -> list[str]:
        return sorted(self.by_topic)


class IdempotentConsumer:
    """Applies each event in one transaction that also records its id; commits offsets after."""

    def __init__(
        self,
        config: ConsumerConfig,
        handlers: HandlerMap,
        sessions: async_sessionmaker[AsyncSession],
        consumer_factory: Callable[[], AIOKafkaConsumer],
        producer_factory: Callable[[], AIOKafkaProducer],
    ) -> None:
        self.config = config
        self.handlers = handlers
        self._sessions = sessions
        self._consumer_factory = consumer_factory
        self._producer_factory = producer_factory
        self._last_purge = time.monotonic()
        self._outages = 0
        # Per partition, the offset after the last message applied and not yet committed.
        self._applied: dict[TopicPartition, int] = {}
        self._last_commit = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; a broken connection restarts from committed offsets."""
        while not stop.is_set():
            try:
                await self._run_connected(stop)
            except Exception:
                # Counted: a consumer that fails again and again sets no lag (it never gets as
                # far), so only this says it stopped (the ConsumerRestarting alert).
                CONSUMER_RESTARTS.labels(self.config.group_id).inc()
                log.exception("consumer %s failed, restarting", self.config.group_id)
                await sleep_unless(stop, 1.0)

    async def _run_connected(self, stop: asyncio.Event) -> None:
        consumer = self._consumer_factory()
        dlq_producer = self._producer_factory()
        await consumer.start()
        try:
            await dlq_producer.start()
            fetch_wait = FetchWait(consumer)
            self._applied = {}
            self._last_commit = time.monotonic()
            while not stop.is_set():
                fetch_wait.polling()
                batch = await consumer.getmany(timeout_ms=500)
                polled_at = time.monotonic()
                fetch_wait.polled(sum(map(len, batch.values())))
                if not await self._process_batch(consumer, batch, dlq_producer):
                    await self._wait_out_outage(consumer, stop)
                    continue
                self._outages = 0
                if not batch or time.monotonic() - self._last_commit >= OFFSET_COMMIT_SECONDS:
                    await self._commit_applied(consumer)
                await self._report_lag(consumer)
                await self._purge_if_due()
                gathering = polled_at + self.config.gather_seconds - time.monotonic()
                if batch and gathering > 0:
                    await sleep_unless(stop, gathering)
            await self._commit_applied(consumer)  # stopping: before it leaves the group
        finally:
            await dlq_producer.stop()
            await consumer.stop()

    async def _process_batch(
        self,
        consumer: AIOKafkaConsumer,
        batch: dict[TopicPartition, list[ConsumerRecord]],
        dlq_producer: AIOKafkaProducer,
    ) -> bool:
        """False when the database went away: each partition is put back at its first message
        not applied (the ones before it committed), to be read again after the outage."""
        unfinished = {tp: records[0].offset for tp, records in batch.items()}
        try:
            for tp, records in batch.items():
                for step in self._steps(records):
                    if isinstance(step, list):
                        unfinished[tp] = step[0].record.offset
                        await self._apply_together(step, dlq_producer)
                    else:
                        unfinished[tp] = step.offset
                        await self.process(step, dlq_producer)
                self._applied[tp] = records[-1].offset + 1
                del unfinished[tp]
        except DatabaseUnavailable as outage:
            for tp, offset in unfinished.items():
                if offset > batch[tp][0].offset:
                    self._applied[tp] = offset
                consumer.seek(tp, offset)
            await self._commit_applied(consumer)
            self._outages += 1
            log.warning(
                "database unavailable (%s); consumer %s pauses, its messages wait",
                outage,
                self.config.group_id,
            )
            return False
        return True

    async def _wait_out_outage(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        """Paused, still polling (so the group keeps this member), for a growing backoff."""
        paused = consumer.assignment()
        consumer.pause(*paused)
        deadline = time.monotonic() + self._backoff(self._outages)
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                await consumer.getmany(timeout_ms=200)
        finally:
            consumer.resume(*(paused & consumer.assignment()))

    async def _commit_applied(self, consumer: AIOKafkaConsumer) -> None:
        """Commits the offsets after what was applied, of the partitions still assigned (one a
        rebalance took is read again by its new owner, which finds the events recorded)."""
        assigned = consumer.assignment()
        offsets = {tp: offset for tp, offset in self._applied.items() if tp in assigned}
        self._applied = {}
        self._last_commit = time.monotonic()
        if offsets:
            await self.commit(consumer, offsets)

    async def commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        # Only after every effect up to each offset is committed in the database.
        await consumer.commit(offsets)

    def _steps(self, records: list[ConsumerRecord]) -> Iterator[list[Delivery] | ConsumerRecord]:
        """A partition's records in order: runs of deliveries to apply together, and the
        records that take the path of one (tombstones, malformed, types not handled)."""
        if not self.config.transaction_per_batch:
            yield from records
            return
        run: list[Delivery] = []
        for record in records:
            delivery = self._delivery(record)
            if delivery is not None:
                run.append(delivery)
                continue
            if run:
                yield run
                run = []
            yield record
        if run:
            yield run

    def _delivery(self, record: ConsumerRecord) -> Delivery | None:
        if record.value is None:
            return None
        try:
            envelope, event = parse_envelope(record.value)
        except Exception:
            return None  # `process` says why, and parks it
        handler = self.handlers.by_topic.get(record.topic, {}).get(envelope.event_type)
        if handler is None:
            return None
        many = self.handlers.many_by_topic.get(record.topic, {}).get(envelope.event_type)
        return Delivery(record, envelope, event, handler, many)

    async def process(self, record: ConsumerRecord, dlq_producer: AIOKafkaProducer) -> None:
        """Apply one message, skip it, or park it in the DLQ; never block the partition."""
        topic_handlers = self.handlers.by_topic.get(record.topic, {})
        if record.value is None:
            # A tombstone on a compacted topic carries no event.
            EVENTS_CONSUMED.labels(self.config.group_id, record.topic, "ignored").inc()
            return
        try:
            envelope, event = parse_envelope(record.value)
        except Exception as exc:
            # Parsing is deterministic: whatever it raised, a retry would raise again, so the
            # message must leave the partition. A type we do not handle is not our business.
            declared_type = _header(record, "event_type")
            if declared_type and declared_type not in topic_handlers:
                EVENTS_CONSUMED.labels(self.config.group_id, record.topic, "ignored").inc()
                return
            invalid = self.handlers.invalid_by_topic.get(record.topic, {}).get(declared_type or "")
            if invalid is not None:
                await self._answer_invalid(record, invalid, exc)
            await self._dead_letter(record, dlq_producer, exc, attempts=1)
            return
        handler = topic_handlers.get(envelope.event_type)
        if handler is None:
            EVENTS_CONSUMED.labels(self.config.group_id, record.topic, "ignored").inc()
            return
        await self._apply_alone(Delivery(record, envelope, event, handler), dlq_producer)

    async def _apply_together(
        self, deliveries: Sequence[Delivery], dlq_producer: AIOKafkaProducer, *, runs: bool = True
    ) -> None:
        """One transaction for them all. When a handler fails, the ones before it are applied
        together again, it goes alone (its retries, the DLQ), and the ones after it go on
        together: each message's effect comes in the partition's order, as one by one. When a
        handler of many fails, the same messages are applied again with a handler each, which
        tells the one that failed. `runs`: apply runs of one type with their handler of many."""
        while deliveries:
            try:
                outcomes = await self.apply_batch(deliveries, runs=runs)
            except BatchFailed as failure:
                self._raise_if_outage(deliveries[failure.index].record, failure.error)
                if failure.run:
                    log.warning(
                        "a run of %d failed, applying each with its handler", len(deliveries)
                    )
                    await self._apply_together(deliveries, dlq_producer, runs=False)
                    return
                await self._apply_together(deliveries[: failure.index], dlq_producer)
                failed = deliveries[failure.index]
                await self._apply_alone(failed, dlq_producer, failed_once=failure.error)
                deliveries = deliveries[failure.index + 1 :]
                continue
            except Exception as exc:
                # Not a handler but the commit (or the rollback) failed: nobody to blame.
                self._raise_if_outage(deliveries[0].record, exc)
                log.warning("a batch of %d failed, applying each alone", len(deliveries))
                for delivery in deliveries:
                    await self._apply_alone(delivery, dlq_producer)
                return
            counted = Counter(
                (d.record.topic, o) for d, o in zip(deliveries, outcomes, strict=True)
            )
            for (topic, outcome), n in counted.items():
                EVENTS_CONSUMED.labels(self.config.group_id, topic, outcome).inc(n)
            return

    async def apply_batch(self, deliveries: Sequence[Delivery], *, runs: bool = True) -> list[str]:
        """The effects of `deliveries` and the records of having applied them, in one
        transaction; each one's outcome. Raises `BatchFailed` (all rolled back) naming the
        message whose handler failed, or the first of a run whose handler of many failed.
        `runs`: consecutive first deliveries with the same handler of many take it at once."""
        async with self._sessions() as session, session.begin():
            first_time = await self._first_times(session, deliveries)
            outcomes = []
            run: list[int] = []  # indexes of deliveries waiting for their handler of many
            for index, delivery in enumerate(deliveries):
                if delivery.envelope.event_id not in first_time:
                    outcomes.append("duplicate")
                    continue
                first_time.discard(delivery.envelope.event_id)  # a second copy is a duplicate
                outcomes.append("applied")
                if run and not (runs and delivery.many == deliveries[run[0]].many):
                    await self._apply_run(session, deliveries, run)
                    run = []
                if runs and delivery.many is not None:
                    run.append(index)
                    continue
                await self._apply_one(session, index, delivery)
            if run:
                await self._apply_run(session, deliveries, run)
        return outcomes

    async def _apply_one(self, session: AsyncSession, index: int, delivery: Delivery) -> None:
        try:
            with self._context(delivery):
                await delivery.handler(session, delivery.event, delivery.envelope)
        except Exception as exc:
            raise BatchFailed(index, exc) from exc

    async def _apply_run(
        self, session: AsyncSession, deliveries: Sequence[Delivery], run: list[int]
    ) -> None:
        """The deliveries at `run` (one handler of many) in one call; a run of one by its handler
        of one. Each one's span marks its place in its trace; the call runs in none of theirs."""
        if len(run) == 1:  # in its own context, as the handler of one runs
            await self._apply_one(session, run[0], deliveries[run[0]])
            return
        members = [deliveries[index] for index in run]
        for delivery in members:
            with self._context(delivery):
                pass
        many = members[0].many
        assert many is not None
        try:
            await many(session, [(d.event, d.envelope) for d in members])
        except Exception as exc:
            raise BatchFailed(run[0], exc, run=True) from exc

    async def _apply_alone(
        self,
        delivery: Delivery,
        dlq_producer: AIOKafkaProducer,
        *,
        failed_once: Exception | None = None,
    ) -> None:
        """In a transaction of its own, with retries; `failed_once`: how its first attempt (in
        a batch) failed."""
        with self._context(delivery):
            first_attempt = 1
            if failed_once is not None:
                if await self._gave_up(delivery, failed_once, 1, dlq_producer):
                    return
                await asyncio.sleep(self._backoff(1))
                first_attempt = 2
            await self._apply_with_retries(delivery, dlq_producer, first_attempt)

    @contextlib.contextmanager
    def _context(self, delivery: Delivery) -> Iterator[None]:
        """The event's span, and its ids for the logs and the events its handler writes."""
        envelope, record = delivery.envelope, delivery.record
        correlation = correlation_id_var.set(str(envelope.correlation_id))
        causation = causation_id_var.set(str(envelope.event_id))
        try:
            with consuming(
                record.topic, self.config.group_id, str(envelope.event_id), record.headers
            ):
                yield
        finally:
            correlation_id_var.reset(correlation)
            causation_id_var.reset(causation)

    async def _apply_with_retries(
        self, delivery: Delivery, dlq_producer: AIOKafkaProducer, first_attempt: int = 1
    ) -> None:
        topic = delivery.record.topic
        for attempt in range(first_attempt, self.config.max_attempts + 1):
            try:
                outcome = await self.apply(
                    delivery.envelope, delivery.event, delivery.handler, topic
                )
            except Exception as exc:
                if await self._gave_up(delivery, exc, attempt, dlq_producer):
                    return
                await asyncio.sleep(self._backoff(attempt))
                continue
            EVENTS_CONSUMED.labels(self.config.group_id, topic, outcome).inc()
            return

    async def _gave_up(
        self, delivery: Delivery, exc: Exception, attempt: int, dlq_producer: AIOKafkaProducer
    ) -> bool:
        """After a failed attempt: True when the message went to the DLQ, False when it is to
        be tried again. Raises when the database is away (not the message's fault)."""
        record = delivery.record
        if isinstance(exc, Unprocessable):
            await self._dead_letter(record, dlq_producer, exc, attempts=attempt)
            return True
        self._raise_if_outage(record, exc)
        EVENTS_FAILED.labels(self.config.group_id, record.topic, "attempt").inc()
        if attempt < self.config.max_attempts:
            log.warning(
                "handling %s failed (attempt %d), retrying",
                delivery.envelope.event_id,
                attempt,
                exc_info=exc,
            )
            return False
        if _is_infrastructure_failure(exc):
            raise exc  # not the message's fault: give up this pass; it is redelivered
        await self._dead_letter(record, dlq_producer, exc, attempts=attempt)
        return True

    def _raise_if_outage(self, record: ConsumerRecord, exc: BaseException) -> None:
        if is_connection_failure(exc):
            EVENTS_FAILED.labels(self.config.group_id, record.topic, "outage").inc()
            raise DatabaseUnavailable(type(exc).__name__) from exc

    async def apply(self, envelope: Envelope, event: Event, handler: Handler, topic: str) -> str:
        """The effect and the record of having applied it, in one transaction."""
        async with self._sessions() as session, session.begin():
            if not await self._first_time(session, envelope.event_id, topic):
                return "duplicate"
            await handler(session, event, envelope)
        return "applied"

    async def _first_time(self, session: AsyncSession, event_id: uuid.UUID, topic: str) -> bool:
        """Records that this group handles `event_id`, in the caller's transaction; False when
        it already did (a redelivery), so the effect is skipped."""
        recorded = await session.scalar(
            insert(processed_events)
            .values(consumer_group=self.config.group_id, event_id=event_id, topic=topic)
            .on_conflict_do_nothing()
            .returning(processed_events.c.event_id)
        )
        return recorded is not None

    async def _first_times(
        self, session: AsyncSession, deliveries: Sequence[Delivery]
    ) -> set[uuid.UUID]:
        """`_first_time` for a batch, in one statement: the event ids new to this group."""
        recorded = await session.scalars(
            _RECORD_BATCH,
            {
                "group": self.config.group_id,
                "ids": [d.envelope.event_id for d in deliveries],
                "topics": [d.record.topic for d in deliveries],
            },
        )
        return set(recorded)

    async def _answer_invalid(
        self, record: ConsumerRecord, invalid: InvalidHandler, error: Exception
    ) -> None:
        """Once per event id, like any effect; a failure here still leaves the DLQ to tell."""
        document = _loose_json(record.value)
        event_id = uuid_or_none(document.get("event_id"))
        if event_id is None:
            return  # nothing to deduplicate by, nobody identifiable to answer
        correlation = correlation_id_var.set(str(document.get("correlation_id") or event_id))
        causation = causation_id_var.set(str(event_id))
        try:
            async with self._sessions() as session, session.begin():
                if await self._first_time(session, event_id, record.topic):
                    await invalid(session, document, error)
        except Exception as exc:
            if is_connection_failure(exc):
                # The answer must not be lost: the message waits for the database.
                raise DatabaseUnavailable(type(exc).__name__) from exc
            log.exception("answering the invalid message %s failed", event_id)
        finally:
            correlation_id_var.reset(correlation)
            causation_id_var.reset(causation)

    async def _purge_if_due(self) -> None:
        if time.monotonic() - self._last_purge < _PURGE_INTERVAL_SECONDS:
            return
        self._last_purge = time.monotonic()
        cutoff = func.now() - timedelta(days=self.config.processed_retention_days)
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(processed_events).where(
                    processed_events.c.consumer_group == self.config.group_id,
                    processed_events.c.processed_at < cutoff,
                )
            )

    def _backoff(self, attempt: int) -> float:
        return min(
            self.config.backoff_seconds * 2.0 ** (attempt - 1), self.config.max_backoff_seconds
        )

    async def _dead_letter(
        self, record: ConsumerRecord, producer: AIOKafkaProducer, exc: BaseException, attempts: int
    ) -> None:
        EVENTS_FAILED.labels(self.config.group_id, record.topic, "dead_lettered").inc()
        mark_failed(exc)
        log.error(
            "message %s/%d@%d sent to the DLQ: %s",
            record.topic,
            record.partition,
            record.offset,
            exc,
        )
        await send_to_dlq(producer, record, exc, attempts=attempts, group_id=self.config.group_id)

    async def _report_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            CONSUMER_LAG.labels(self.config.group_id, tp.topic, str(tp.partition)).set(
                max(highwater - position, 0)
            )


def _loose_json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            try:
                text: str = value.decode()
            except UnicodeDecodeError:
                return None
            return text
    return None


def _is_infrastructure_failure(exc: BaseException) -> bool:
    """The database or network is down, or the database gave up on a statement (its statement
    or lock timeout): retrying later will help, dead-lettering would not."""
    if isinstance(exc, OSError | ConnectionError | asyncio.TimeoutError):
        return True
    if database_timeout(exc) is not None:
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated

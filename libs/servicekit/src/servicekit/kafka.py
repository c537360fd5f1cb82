"""Kafka clients configured the one way our delivery guarantee needs."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.helpers import create_ssl_context
from contracts.topics import LARGEST_MESSAGE_BYTES

from servicekit.settings import ServiceSettings

T = TypeVar("T")

# Room for a record batch's own bytes around the largest message a topic takes.
_BATCH_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class KafkaConnection:
    """Where a Kafka client connects and how it proves who it is: the one set of options every
    producer, consumer and admin client of ours is opened with."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    @classmethod
    def of(cls, settings: ServiceSettings) -> KafkaConnection:
        return cls(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            security_protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            username=settings.kafka_username,
            password=settings.kafka_password.get_secret_value()
            if settings.kafka_password
            else None,
            ca_file=settings.kafka_ssl_ca_file,
        )

    @classmethod
    def from_env(
        cls, prefix: str = "", *, default_servers: str = "127.0.0.1:9092"
    ) -> KafkaConnection:
        """For tools and tests: <prefix>KAFKA_BOOTSTRAP_SERVERS, _SECURITY_PROTOCOL,
        _SASL_MECHANISM, _USERNAME, _PASSWORD and _SSL_CA_FILE."""

        def env(name: str) -> str | None:
            return os.environ.get(f"{prefix}KAFKA_{name}") or None

        return cls(
            bootstrap_servers=env("BOOTSTRAP_SERVERS") or default_servers,
            security_protocol=env("SECURITY_PROTOCOL") or "PLAINTEXT",
            sasl_mechanism=env("SASL_MECHANISM") or "SCRAM-SHA-512",
            username=env("USERNAME"),
            password=env("PASSWORD"),
            ca_file=env("SSL_CA_FILE"),
        )

    def environment(self, prefix: str = "") -> dict[str, str]:
        """The variables `from_env(prefix)` reads back as this connection (for a subprocess)."""
        values = {
            "BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "SECURITY_PROTOCOL": self.security_protocol,
            "SASL_MECHANISM": self.sasl_mechanism,
            "USERNAME": self.username,
            "PASSWORD": self.password,
            "SSL_CA_FILE": self.ca_file,
        }
        return {f"{prefix}KAFKA_{name}": value for name, value in values.items() if value}

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin, client)."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol in ("SSL", "SASL_SSL"):
            options["ssl_context"] = create_ssl_context(cafile=self.ca_file)
        if self.security_protocol.startswith("SASL_"):
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.username
            options["sasl_plain_password"] = self.password
        return options


def _connection(kafka: KafkaConnection | str) -> KafkaConnection:
    return kafka if isinstance(kafka, KafkaConnection) else KafkaConnection(kafka)


# A record batch's size before compression. The relay sends a partition's rows as one batch a
# round trip: a fetch of 500 rows of a kilobyte or so (a burst of audit entries of one record,
# say) leaves in one or two, not in thirty of aiokafka's default 16 KiB. A row larger than a
# batch has one of its own; compressed, a batch stays far under Kafka's default 1 MiB a message.
RELAY_BATCH_BYTES = 256 * 1024


def create_producer(kafka: KafkaConnection | str, *, client_id: str) -> AIOKafkaProducer:
    # Idempotence with acks=all: a retried send is never written twice and order per
    # partition holds, so per-aggregate order survives broker hiccups.
    # gzip: JSON envelopes shrink several times over, so a month's optimization problem stays
    # far under its topic's limit on the wire. aiokafka checks a message's size before
    # compression, so `max_request_size` admits the largest any topic takes; the outbox keeps
    # each topic's events within that topic's own limit.
    return AIOKafkaProducer(
        **_connection(kafka).client_options(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=RELAY_BATCH_BYTES,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
        compression_type="gzip",
        max_request_size=LARGEST_MESSAGE_BYTES + _BATCH_OVERHEAD_BYTES,
    )


def create_consumer(
    kafka: KafkaConnection | str, *topics: str, group_id: str, client_id: str
) -> AIOKafkaConsumer:
    # Offsets are committed by hand only after the database transaction of the effect.
    # A partition's fetch holds at least one whole message of the largest kind.
    # fetch_max_wait_ms: how long the broker may hold a fetch while no partition of it has
    # anything new; the idle value here, which `FetchWait` sets around each poll.
    # max_poll_records: one fetched batch is one transaction of the consumer.
    return AIOKafkaConsumer(
        *topics,
        **_connection(kafka).client_options(),
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=MAX_POLL_RECORDS,
        fetch_max_wait_ms=IDLE_FETCH_WAIT_MS,
        retry_backoff_ms=200,
        max_partition_fetch_bytes=LARGEST_MESSAGE_BYTES + _BATCH_OVERHEAD_BYTES,
        fetch_max_bytes=max(52_428_800, 2 * (LARGEST_MESSAGE_BYTES + _BATCH_OVERHEAD_BYTES)),
    )


# The broker answers a fetch as soon as one of its partitions has a byte, so the wait only
# bounds a fetch that finds nothing. While the consumer waits in `getmany`, every partition is
# in the fetch in flight: a new event ends it at once, whatever the wait, and a long wait costs
# a fetch every half second instead of fifty (each about 0.6 ms of the consumer's CPU and some
# of the broker's). 5 s would halve an idle broker's CPU (10 idle consumers: 57 -> 22 ms a
# second, measured), but a partition that is not in the fetch in flight (one put back by `seek`,
# a position being reset, a consumer catching up after a restart) waits for that fetch to end:
# integration tests that restart or rewind consumers took 3-5 times as long (a DLQ replay 4.9 ->
# 27 s, a read model's catch-up 3.0 -> 11.2 s), and so would a service catching up in production.
# aiokafka fetches ahead: the moment a poll takes a partition's records it sends the next
# fetch, which the broker answers with the first event to arrive, a few ms into the apply;
# those records then wait in aiokafka for the poll after it, and every later event for the
# fetch after that: an event waited about two applies before its own (commit -> apply p50
# ~115 ms at 200 events/s, measured). So while a poll's records are applied, every partition
# is paused when that poll took all aiokafka held (fewer than `MAX_POLL_RECORDS`): nothing is
# fetched meanwhile, the next poll sends the fetch and it brings everything that arrived, in
# one round trip (p50 about half, measured side by side). A full poll may leave records
# behind, and then the fetch ahead pays: aiokafka fetches the other partitions of the broker
# after its 100 ms prefetch backoff, and fetches none of them while a fetch to it is in
# flight: once the held records are applied, their partition's next events wait for the fetch
# in flight to end. 20 ms bounds that wait; such a poll counts as applying until a poll
# returns less.
BUSY_FETCH_WAIT_MS = 20
IDLE_FETCH_WAIT_MS = 500
MAX_POLL_RECORDS = 200


class FetchWait:
    """Paces the consumer's fetches around each poll (see `BUSY_FETCH_WAIT_MS`): long-polls
    while it waits for records; while it applies a poll that took every record aiokafka held,
    fetches nothing (its partitions paused), so the next poll's fetch is sent as that poll
    begins and brings every event that arrived meanwhile. aiokafka reads the wait from its
    fetcher for each fetch it sends and offers no public way to change it."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self._fetcher = consumer._fetcher  # exists once the consumer has started
        self._left_records = False
        self._paused: set[TopicPartition] = set()

    @property
    def wait_ms(self) -> int:
        wait: int = self._fetcher._fetch_max_wait_ms
        return wait

    @property
    def paused(self) -> frozenset[TopicPartition]:
        return frozenset(self._paused)

    def polling(self) -> None:
        """Before `getmany`: fetching again, long unless the last poll left records behind."""
        self._set(BUSY_FETCH_WAIT_MS if self._left_records else IDLE_FETCH_WAIT_MS)
        if self._paused:
            # A rebalance meanwhile may have taken some; the new ones start unpaused.
            self._consumer.resume(*(self._paused & self._consumer.assignment()))
            self._paused = set()

    def polled(self, records: int) -> None:
        """After `getmany` returned `records`, before anything awaits: short while they are
        applied; no fetch at all while they are when aiokafka holds nothing more."""
        self._left_records = records >= MAX_POLL_RECORDS
        if records:
            self._set(BUSY_FETCH_WAIT_MS)
        if records and not self._left_records:
            self._paused = set(self._consumer.assignment())
            self._consumer.pause(*self._paused)

    def _set(self, wait_ms: int) -> None:
        self._fetcher._fetch_max_wait_ms = wait_ms


async def with_admin(
    kafka: KafkaConnection,
    work: Callable[[AIOKafkaAdminClient], Awaitable[T]],
    *,
    deadline_seconds: float = 60,
) -> T:
    """Runs `work` with an admin client, retrying with a fresh client every half second while
    the broker is still starting or briefly away, until `deadline_seconds` have passed."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=5000)
        try:
            await admin.start()
            return await work(admin)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()

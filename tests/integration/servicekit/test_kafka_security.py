"""The broker lets in only known users over TLS, and each service only where the contracts say.

Run against a stack's broker (deploy/local/kafka.sh): its one listener is SASL_SSL with
SCRAM-SHA-512, and its ACLs come from `python -m servicekit.kafka_access`.
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from contracts.topics import AUTH_USERS, RESOURCES_STAFF, SCHEDULING_SURGERIES
from servicekit.kafka import KafkaConnection

from tests.conftest import KAFKA

pytestmark = pytest.mark.integration


def as_user(user: str, password: str | None = None) -> KafkaConnection:
    """The broker as `user`, with the development password deploy/local/kafka-users.sh gives it."""
    return dataclasses.replace(
        KAFKA, username=user, password=password or f"dev-only-kafka-{user}-password"
    )


async def _bootstraps(kafka: KafkaConnection) -> None:
    client = AIOKafkaClient(**kafka.client_options(), request_timeout_ms=3000)
    try:
        await client.bootstrap()
    finally:
        await client.close()


@pytest.fixture(autouse=True)
async def _a_secured_broker_that_is_up() -> None:
    """Every refusal below is the broker's: the same address lets the right user in."""
    if KAFKA.security_protocol != "SASL_SSL":
        pytest.fail(f"the tests' broker must be SASL_SSL, not {KAFKA.security_protocol}")
    await _bootstraps(KAFKA)


@pytest.mark.parametrize(
    "stranger",
    [
        KafkaConnection(KAFKA.bootstrap_servers),  # plaintext, nobody
        KafkaConnection(KAFKA.bootstrap_servers, "SSL", ca_file=KAFKA.ca_file),  # TLS, nobody
    ],
    ids=["plaintext", "tls-without-a-user"],
)
async def test_a_client_without_credentials_cannot_fetch_metadata(stranger):
    with pytest.raises(KafkaError):
        await _bootstraps(stranger)


async def test_a_wrong_password_is_refused(caplog):
    await _bootstraps(as_user("scheduling"))
    with pytest.raises(KafkaError):
        await _bootstraps(as_user("scheduling", "dev-only-not-the-password"))
    assert "SaslAuthenticationFailed" in caplog.text


async def test_a_service_cannot_produce_to_another_services_topic_but_can_to_its_own():
    producer = AIOKafkaProducer(**as_user("scheduling").client_options(), request_timeout_ms=10_000)
    await producer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(RESOURCES_STAFF.name, b"forged", key=b"kafka-acl-test")
        # Nothing of ours consumes this topic; the record says what it is.
        sent = await producer.send_and_wait(
            SCHEDULING_SURGERIES.name,
            b"",
            key=b"kafka-acl-test",
            headers=[("test", b"kafka-security")],
        )
        assert sent.topic == SCHEDULING_SURGERIES.name
    finally:
        await producer.stop()


async def test_a_service_reads_its_own_consumer_groups_and_not_anothers():
    reader = as_user("resources")  # resources consumes auth.users.v1 in its group resources-*
    tp = TopicPartition(AUTH_USERS.name, 0)
    own = AIOKafkaConsumer(**reader.client_options(), group_id=f"resources-{uuid.uuid4().hex[:8]}")
    others = AIOKafkaConsumer(**reader.client_options(), group_id="scheduling-service")
    for consumer in (own, others):
        await consumer.start()
    try:
        own.assign([tp])
        assert await own.committed(tp) is None  # a fresh group of its own: allowed, empty
        others.assign([tp])
        with pytest.raises(GroupAuthorizationFailedError):
            await others.committed(tp)
    finally:
        for consumer in (own, others):
            await consumer.stop()

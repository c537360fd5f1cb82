"""What auth tells the rest of the hospital: user events and audit records, and never a secret."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from contracts.topics import AUDIT_EVENTS, AUTH_USERS

from tests.conftest import KAFKA, LOGS
from tests.e2e.conftest import bearer, create_user, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
async def from_now_on() -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer positioned at the end of the auth and audit topics, without a group."""
    consumer = AIOKafkaConsumer(**KAFKA.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic.name, p)
            for topic in (AUTH_USERS, AUDIT_EVENTS)
            for p in consumer.partitions_for_topic(topic.name)
            or await _partitions(consumer, topic.name)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:  # resolve the positions now, before anything happens
            await consumer.position(partition)
        yield consumer
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def collect_until(consumer, done, timeout: float = 15.0) -> list[tuple[str, dict]]:
    seen: list[tuple[str, dict]] = []
    deadline = time.monotonic() + timeout
    while not done(seen):
        assert time.monotonic() < deadline, f"gave up waiting; saw {[e for _, e in seen]}"
        batches = await consumer.getmany(timeout_ms=200)
        for messages in batches.values():
            seen += [(m.value.decode(), json.loads(m.value)) for m in messages]
    return seen


async def test_user_changes_and_sign_ins_are_announced_without_any_secret(
    gateway, admin_token, from_now_on
):
    user, password = await create_user(gateway, admin_token, "viewer")
    uid = user["user_id"]
    bad = await gateway.post(
        "/api/auth/token", data={"username": user["email"], "password": "a wrong password"}
    )
    assert bad.status_code == 401
    tokens = await sign_in(gateway, user["email"], password)
    new_password = "another long passphrase"
    await gateway.put(
        "/api/auth/me/password",
        json={"current_password": password, "new_password": new_password},
        headers=bearer(tokens["access_token"]),
    )
    await gateway.put(
        f"/api/auth/users/{uid}/roles", json={"roles": ["nurse"]}, headers=bearer(admin_token)
    )
    await gateway.post(f"/api/auth/users/{uid}/deactivate", headers=bearer(admin_token))

    wanted_events = {"UserRegistered", "UserRolesChanged", "UserDeactivated"}
    wanted_actions = {
        "user.create",
        "session.login_failed",
        "session.login",
        "user.password_change",
        "user.roles_change",
        "user.deactivate",
    }

    def about_user(seen):
        return [e for _, e in seen if uid in (e["data"].get("user_id"), e["data"].get("record_id"))]

    def done(seen):
        mine = about_user(seen)
        actions = {e["data"].get("action") for e in mine}
        return wanted_events <= {e["event_type"] for e in mine} and wanted_actions <= actions

    seen = await collect_until(from_now_on, done)
    secrets = [password, new_password, tokens["access_token"], tokens["refresh_token"], "argon2"]
    for raw, _ in seen:
        for secret in secrets:
            assert secret not in raw, "an event carries a secret"
    logs = "".join(p.read_text(errors="replace") for p in LOGS.glob("*.log"))
    for secret in secrets[:-1]:
        assert secret not in logs, "a log line carries a secret"
    await asyncio.sleep(0)

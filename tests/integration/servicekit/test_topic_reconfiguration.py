"""Reconfiguring an existing topic on the real broker keeps the overrides an operator set.

aiokafka has only the non-incremental AlterConfigs, which replaces a topic's whole set of
overrides: `servicekit.topics` reads the current ones and sends them back with its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from contracts.topics import SCHEDULING_OPTIMIZATION_REQUESTS
from servicekit.topics import _reconfigure, ensure_topics, topic_config_values, topic_configs

from tests.conftest import KAFKA
from tests.integration.conftest import remember_topics
from tests.integration.servicekit.topic_settings import settled

pytestmark = pytest.mark.integration


@pytest.fixture
async def admin() -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(**KAFKA.client_options())
    await client.start()
    yield client
    await client.close()


async def a_topic_an_operator_tuned(admin: AIOKafkaAdminClient) -> str:
    """A topic made with an old configuration, then given `segment.ms` by hand (as
    kafka-configs.sh would: the whole set, the operator's value added)."""
    name = f"test.reconfigure.{uuid.uuid4().hex[:12]}.v1"
    remember_topics(name)
    old = {"cleanup.policy": "delete", "retention.ms": str(3600_000)}
    await admin.create_topics([NewTopic(name, 1, 1, topic_configs=old)])
    by_hand = {**old, "segment.ms": str(7_200_000)}
    [answer] = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, by_hand)])
    assert all(error == 0 for error, *_ in answer.resources)
    await settled(admin, name, by_hand)
    return name


async def test_reconfiguring_a_topic_keeps_an_override_set_by_hand(
    admin: AIOKafkaAdminClient,
) -> None:
    name = await a_topic_an_operator_tuned(admin)
    wanted = topic_configs(SCHEDULING_OPTIMIZATION_REQUESTS)
    try:
        await ensure_topics(KAFKA, [NewTopic(name, 1, 1, topic_configs=wanted)])
        await settled(admin, name, wanted)
        configs = (await topic_config_values(admin, [name]))[name]
    finally:
        await admin.delete_topics([name])

    assert {key: configs[key] for key in wanted} == wanted
    assert configs["segment.ms"] == str(7_200_000)


async def test_a_second_run_finds_nothing_to_change_and_changes_nothing(
    admin: AIOKafkaAdminClient,
) -> None:
    name = await a_topic_an_operator_tuned(admin)
    wanted = topic_configs(SCHEDULING_OPTIMIZATION_REQUESTS)
    try:
        first = await _reconfigure(admin, [NewTopic(name, 1, 1, topic_configs=wanted)])
        await settled(admin, name, wanted)
        before = (await topic_config_values(admin, [name]))[name]
        second = await _reconfigure(admin, [NewTopic(name, 1, 1, topic_configs=wanted)])
        after = (await topic_config_values(admin, [name]))[name]
    finally:
        await admin.delete_topics([name])

    assert first == [name]
    assert second == []
    assert after == before

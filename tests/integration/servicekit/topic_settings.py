"""Waiting for a topic's configuration to show a change the broker accepted."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient
from servicekit.topics import topic_config_values


async def settled(admin: AIOKafkaAdminClient, name: str, expected: dict[str, str]) -> None:
    """Waits until the broker describes the topic with `expected`: an accepted config change
    reaches the describing side a moment later (KRaft applies it from the metadata log).

    A topic created a moment ago may not be describable yet either: the broker answers
    UNKNOWN_TOPIC_OR_PARTITION (3) until its metadata has caught up, so that is waited out too.
    """
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        try:
            configs = (await topic_config_values(admin, [name]))[name]
        except RuntimeError as refused:
            if "failed (3)" not in str(refused):
                raise
            configs = {}
        if all(configs.get(key) == value for key, value in expected.items()):
            return
        assert asyncio.get_running_loop().time() < deadline, f"{name} never showed {expected}"
        await asyncio.sleep(0.1)

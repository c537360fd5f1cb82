"""Waiting for a topic's configuration to show a change the broker accepted."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient
from servicekit.topics import topic_config_values


async def settled(admin: AIOKafkaAdminClient, name: str, expected: dict[str, str]) -> None:
    """Waits until the broker describes the topic with `expected`: an accepted config change
    reaches the describing side a moment later (KRaft applies it from the metadata log)."""
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        configs = (await topic_config_values(admin, [name]))[name]
        if all(configs.get(key) == value for key, value in expected.items()):
            return
        assert asyncio.get_running_loop().time() < deadline, f"{name} never showed {expected}"
        await asyncio.sleep(0.1)

"""A real event crosses the platform: auth's outbox, through Kafka, into every other service."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from auth_service.accounts import register_user
from auth_service.bootstrap import service as auth
from optimizer_service.bootstrap import service as optimizer
from resources_service.bootstrap import service as resources
from scheduling_service.bootstrap import service as scheduling
from servicekit.service import Runtime
from sqlalchemy import text

pytestmark = pytest.mark.e2e


async def _registered_in(service, user_id: uuid.UUID, timeout: float = 30) -> list[str]:
    runtime = Runtime(service, service.settings())
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            async with runtime.engine.connect() as conn:
                roles = await conn.scalar(
                    text("SELECT roles FROM user_access WHERE user_id = :u AND active"),
                    {"u": user_id},
                )
            if roles is not None:
                return roles
            await asyncio.sleep(0.1)
        raise AssertionError(f"{service.name} never learned of user {user_id}")
    finally:
        await runtime.close()


async def test_a_user_registered_in_auth_reaches_every_other_service():
    runtime = Runtime(auth, auth.settings())
    try:
        async with runtime.unit_of_work() as uow:
            user_id = await register_user(
                uow,
                email=f"nurse-{uuid.uuid4().hex[:8]}@example.org",
                display_name="Nora Nurse",
                roles=["nurse"],
                password="a long enough password",
            )
            await uow.commit()
    finally:
        await runtime.close()

    for service in (resources, scheduling, optimizer):
        assert await _registered_in(service, user_id) == ["nurse"]

"""The user-access guard reads the real read model and refuses what it must, within its interval."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from servicekit.auth import Principal
from servicekit.problems import Problem
from servicekit.user_access import UserAccessGuard, user_access_table
from sqlalchemy import MetaData, insert, update
from sqlalchemy.ext.asyncio import async_sessionmaker

pytestmark = pytest.mark.integration

REFRESH = 0.2


@pytest.fixture
async def table_and_guard(engine):
    table = user_access_table(MetaData())
    async with engine.begin() as conn:
        await conn.run_sync(table.metadata.create_all)
    return table, UserAccessGuard(table, async_sessionmaker(engine), refresh_seconds=REFRESH)


def token_of(user_id: uuid.UUID, issued_at: datetime) -> Principal:
    ts = int(issued_at.timestamp())
    return Principal(str(user_id), frozenset({"viewer"}), "jti", ts + 900, issued_at=ts)


async def add(engine, table, user_id, *, active=True, changed_at):
    async with engine.begin() as conn:
        await conn.execute(
            insert(table).values(
                user_id=user_id, roles=["viewer"], active=active, changed_at=changed_at
            )
        )


async def test_admits_tokens_of_active_and_of_unknown_users(engine, table_and_guard):
    table, guard = table_and_guard
    known, now = uuid.uuid4(), datetime.now(UTC)
    await add(engine, table, known, changed_at=now - timedelta(minutes=5))
    assert await guard.refusal(token_of(known, now)) is None
    assert await guard.refusal(token_of(uuid.uuid4(), now)) is None


async def test_refuses_a_deactivated_user_once_the_interval_has_passed(engine, table_and_guard):
    table, guard = table_and_guard
    user, now = uuid.uuid4(), datetime.now(UTC)
    await add(engine, table, user, changed_at=now - timedelta(minutes=5))
    assert await guard.refusal(token_of(user, now)) is None
    async with engine.begin() as conn:
        await conn.execute(update(table).where(table.c.user_id == user).values(active=False))
    await asyncio.sleep(REFRESH + 0.05)
    assert await guard.refusal(token_of(user, now)) == "the user is deactivated"


async def test_refuses_tokens_issued_before_the_last_change(engine, table_and_guard):
    table, guard = table_and_guard
    user, changed = uuid.uuid4(), datetime.now(UTC)
    await add(engine, table, user, changed_at=changed)
    assert await guard.refusal(token_of(user, changed - timedelta(seconds=1))) is not None
    assert await guard.refusal(token_of(user, changed)) is None


async def test_an_unreadable_read_model_is_an_outage_not_a_verdict(engine):
    table = user_access_table(MetaData())  # never created in this schema
    guard = UserAccessGuard(table, async_sessionmaker(engine), refresh_seconds=REFRESH)
    with pytest.raises(Problem) as outage:
        await guard.refusal(token_of(uuid.uuid4(), datetime.now(UTC)))
    assert outage.value.status == 503

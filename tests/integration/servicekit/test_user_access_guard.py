"""The user-access guard reads the real read model and refuses what it must, within its interval."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from contracts.envelope import Envelope
from contracts.events.auth_users import (
    SessionRevoked,
    UserDeactivated,
    UserReactivated,
    UserRegistered,
    UserTokensRevoked,
)
from servicekit.auth import Principal
from servicekit.messaging.consumer import HandlerMap
from servicekit.problems import Problem
from servicekit.user_access import (
    UserAccessGuard,
    register_user_access_handlers,
    remember_revoked_session,
    revoked_sessions_table,
    user_access_table,
)
from sqlalchemy import MetaData, insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

pytestmark = pytest.mark.integration

REFRESH = 0.2


@pytest.fixture
async def tables(engine):
    metadata = MetaData()
    table, revoked = user_access_table(metadata), revoked_sessions_table(metadata)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return table, revoked


@pytest.fixture
async def table_and_guard(engine, tables):
    table, revoked = tables
    guard = UserAccessGuard(
        table, async_sessionmaker(engine), revoked=revoked, refresh_seconds=REFRESH
    )
    return table, guard


def token_of(
    user_id: uuid.UUID, issued_at: datetime, session_id: uuid.UUID | None = None
) -> Principal:
    ts = int(issued_at.timestamp())
    sid = str(session_id) if session_id else None
    return Principal(
        str(user_id), frozenset({"viewer"}), "jti", ts + 900, issued_at=ts, session_id=sid
    )


async def revoke(engine, revoked, session_id, user_id, expires_at):
    async with async_sessionmaker(engine)() as session, session.begin():
        await remember_revoked_session(
            session, revoked, session_id=session_id, user_id=user_id, expires_at=expires_at
        )


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
    assert await guard.refusal(token_of(user, now)) == "user_deactivated"


async def test_refuses_tokens_issued_before_the_last_change(engine, table_and_guard):
    table, guard = table_and_guard
    user, changed = uuid.uuid4(), datetime.now(UTC)
    await add(engine, table, user, changed_at=changed)
    earlier = token_of(user, changed - timedelta(seconds=1))
    assert await guard.refusal(earlier) == "issued_before_access_change"
    assert await guard.refusal(token_of(user, changed)) is None


async def test_refuses_tokens_of_a_revoked_session_and_admits_the_users_other_sessions(
    engine, tables, table_and_guard
):
    _, revoked = tables
    _, guard = table_and_guard
    user, ended, other, now = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    assert await guard.refusal(token_of(user, now, ended)) is None
    await revoke(engine, revoked, ended, user, now + timedelta(minutes=16))
    await asyncio.sleep(REFRESH + 0.05)
    assert await guard.refusal(token_of(user, now, ended)) == "session_revoked"
    assert await guard.refusal(token_of(user, now, other)) is None


async def test_a_revoked_session_is_forgotten_once_its_tokens_have_expired(engine, tables):
    _, revoked = tables
    user, now = uuid.uuid4(), datetime.now(UTC)
    expired, alive = uuid.uuid4(), uuid.uuid4()
    await revoke(engine, revoked, expired, user, now - timedelta(seconds=1))
    await revoke(engine, revoked, alive, user, now + timedelta(minutes=16))
    await revoke(engine, revoked, alive, user, now + timedelta(minutes=16))  # a redelivery
    async with engine.connect() as conn:
        kept = set((await conn.execute(select(revoked.c.session_id))).scalars())
    assert kept == {alive}


async def test_an_unreadable_read_model_is_an_outage_not_a_verdict(engine):
    table = user_access_table(MetaData())  # never created in this schema
    guard = UserAccessGuard(table, async_sessionmaker(engine), refresh_seconds=REFRESH)
    with pytest.raises(Problem) as outage:
        await guard.refusal(token_of(uuid.uuid4(), datetime.now(UTC)))
    assert outage.value.status == 503


async def apply(engine, table, *events) -> None:
    """Each event through the handler the kit registers for it, in a transaction of its own."""
    handlers = register_user_access_handlers(HandlerMap(), table)
    for event in events:
        handler = handlers.by_topic[event.topic.name][event.event_type]
        async with async_sessionmaker(engine)() as session, session.begin():
            await handler(session, event, Envelope.wrap(event, producer="auth"))


async def test_a_reactivated_user_acts_again_but_tokens_from_before_stay_void(
    engine, tables, table_and_guard
):
    table, guard = table_and_guard
    user, now = uuid.uuid4(), datetime.now(UTC)
    registered = UserRegistered(
        user_id=user, email="re@example.org", display_name="Re", roles=["nurse"]
    )
    back = now + timedelta(seconds=5)
    await apply(
        engine,
        table,
        registered,
        UserDeactivated(user_id=user, deactivated_at=now),
        UserReactivated(user_id=user, roles=["nurse", "viewer"], reactivated_at=back),
    )
    async with engine.connect() as conn:
        row = (await conn.execute(select(table).where(table.c.user_id == user))).one()
    assert (row.active, sorted(row.roles), row.changed_at) == (True, ["nurse", "viewer"], back)
    assert await guard.refusal(token_of(user, now)) == "issued_before_access_change"
    assert await guard.refusal(token_of(user, back)) is None


async def test_a_password_reset_voids_earlier_tokens_and_never_moves_the_cut_off_back(
    engine, tables, table_and_guard
):
    table, guard = table_and_guard
    user, now = uuid.uuid4(), datetime.now(UTC)
    await add(engine, table, user, changed_at=now - timedelta(minutes=5))
    reset = UserTokensRevoked(user_id=user, issued_before=now, reason="password_reset")
    older = UserTokensRevoked(
        user_id=user, issued_before=now - timedelta(minutes=1), reason="password_reset"
    )
    await apply(engine, table, reset, older)
    assert await guard.refusal(token_of(user, now - timedelta(seconds=1))) == (
        "issued_before_access_change"
    )
    assert await guard.refusal(token_of(user, now)) is None


async def test_a_session_revoked_event_reaches_the_guard(engine, tables, table_and_guard):
    table, guard = table_and_guard
    user, ended, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    event = SessionRevoked(
        user_id=user,
        session_id=ended,
        reason="logout",
        revoked_at=now,
        expires_at=now + timedelta(minutes=16),
    )
    await apply(engine, table, event, event)  # applying twice changes nothing
    assert await guard.refusal(token_of(user, now, ended)) == "session_revoked"

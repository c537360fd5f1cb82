"""A read session runs each statement by itself, without the BEGIN and ROLLBACK of a unit of
work around them, writes nothing, and leaves its pooled connection transactional again."""

from __future__ import annotations

import uuid

import pytest
from servicekit.db import UnitOfWork, create_engine, read_sessions, repeatable_read
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import registry

from tests.conftest import KIT_DATABASE_URL
from tests.integration.servicekit.effects import effects

pytestmark = pytest.mark.integration

# now() is the start of the statement's transaction: constant within one, new for each
# statement that is its own.
TWO_NOWS = "SELECT now() AS now, pg_sleep(0.01)"


async def test_a_read_session_runs_each_statement_outside_any_transaction(engine):
    async with read_sessions(engine)() as session:
        first = (await session.execute(text(TWO_NOWS))).scalar_one()
        second = (await session.execute(text(TWO_NOWS))).scalar_one()
    assert second > first


async def test_a_read_session_sees_what_was_committed(engine):
    row = uuid.uuid4()
    async with UnitOfWork(async_sessionmaker(engine), producer="test") as uow:
        await uow.session.execute(effects.insert().values(event_id=row, user_id=uuid.uuid4()))
        await uow.commit()
    async with read_sessions(engine)() as session:
        found = await session.scalar(select(effects.c.event_id).where(effects.c.event_id == row))
    assert found == row


class _Effect:
    pass


async def test_a_read_session_refuses_to_flush_a_change(engine):
    mapper = registry()
    mapper.map_imperatively(_Effect, effects)
    async with read_sessions(engine)() as session:
        await session.flush()  # nothing pending: nothing to refuse
        effect = _Effect()
        effect.event_id, effect.user_id = uuid.uuid4(), uuid.uuid4()
        session.add(effect)
        with pytest.raises(RuntimeError, match="writes nothing"):
            await session.flush()
    mapper.dispose()


async def test_a_connection_a_read_session_used_is_transactional_again_for_a_unit_of_work(
    schema,
):
    one = create_engine(KIT_DATABASE_URL, pool_size=1, search_path=schema)
    try:  # one after the other: the unit of work gets the connection the read session had
        async with read_sessions(one)() as session:
            await session.execute(text("SELECT 1"))
        async with UnitOfWork(async_sessionmaker(one), producer="test") as uow:
            first = (await uow.session.execute(text(TWO_NOWS))).scalar_one()
            second = (await uow.session.execute(text(TWO_NOWS))).scalar_one()
        assert first == second
    finally:
        await one.dispose()


async def test_a_read_only_snapshot_is_said_with_its_begin_and_ends_with_its_transaction(schema):
    one = create_engine(KIT_DATABASE_URL, pool_size=1, search_path=schema)
    sent: list[str] = []

    def note(*args: object) -> None:
        sent.append(str(args[2]))

    event.listen(one.sync_engine, "before_cursor_execute", note)
    shown = text(
        "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')"
    )
    try:
        for _ in range(2):  # the second time on the connection the first one gave back
            sent.clear()
            async with UnitOfWork(async_sessionmaker(one), producer="test") as uow:
                await repeatable_read(uow.session, read_only=True)
                assert tuple((await uow.session.execute(shown)).one()) == ("repeatable read", "on")
            assert len(sent) == 1  # no SET TRANSACTION of its own
            async with UnitOfWork(async_sessionmaker(one), producer="test") as uow:
                assert tuple((await uow.session.execute(shown)).one()) == ("read committed", "off")
    finally:
        event.remove(one.sync_engine, "before_cursor_execute", note)
        await one.dispose()

"""An audited read runs its statements without a transaction, commits its one write (the audit
entry) as it runs, and refuses any other write: a second statement that writes, or a flush."""

from __future__ import annotations

import uuid

import pytest
from servicekit import audit
from servicekit.db import AuditedRead, UnitOfWork, audited_read_sessions, create_engine
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import registry

from tests.conftest import KIT_DATABASE_URL
from tests.integration.servicekit.effects import effects

pytestmark = pytest.mark.integration

# now() is the start of the statement's transaction: constant within one, new for each
# statement that is its own.
TWO_NOWS = "SELECT now() AS now, pg_sleep(0.01)"
READER = audit.user(uuid.uuid4())


def _audited_read(engine: AsyncEngine) -> AuditedRead:
    return AuditedRead(audited_read_sessions(engine), producer="test")


async def _entry(read: AuditedRead, record_id: uuid.UUID) -> None:
    await audit.record(
        read, actor=READER, action="thing.read", record_type="thing", record_id=record_id
    )


async def _outbox_keys(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as other:
        return list((await other.scalars(text("SELECT message_key FROM outbox"))).all())


async def _effects(engine: AsyncEngine) -> int:
    async with engine.connect() as other:
        return int(await other.scalar(select(func.count()).select_from(effects)) or 0)


async def test_the_entry_is_committed_as_it_runs_before_the_read_ends(engine):
    thing = uuid.uuid4()
    async with _audited_read(engine) as read:
        await _entry(read, thing)
        # Another connection sees it before `commit()` and before the session closes.
        assert await _outbox_keys(engine) == [str(thing)]
        await read.commit()
    assert await _outbox_keys(engine) == [str(thing)]


async def test_its_statements_run_outside_any_transaction(engine):
    async with _audited_read(engine) as read:
        first = (await read.session.execute(text(TWO_NOWS))).scalar_one()
        await _entry(read, uuid.uuid4())
        # In a transaction, the entry's insert would have given it an id by now.
        assigned = await read.session.scalar(text("SELECT txid_current_if_assigned()"))
        second = (await read.session.execute(text(TWO_NOWS))).scalar_one()
    assert assigned is None
    assert second > first


async def test_a_second_writing_statement_is_refused_and_not_run(engine):
    async with _audited_read(engine) as read:
        await _entry(read, uuid.uuid4())
        with pytest.raises(RuntimeError, match="has written it"):
            await read.session.execute(
                insert(effects).values(event_id=uuid.uuid4(), user_id=uuid.uuid4())
            )
        with pytest.raises(RuntimeError, match="has written it"):
            await read.session.execute(text("DELETE FROM outbox"))
        await read.session.execute(text("SELECT 1"))  # reads go on
    assert await _effects(engine) == 0
    assert len(await _outbox_keys(engine)) == 1


async def test_a_write_is_refused_once_it_has_committed(engine):
    async with _audited_read(engine) as read:
        await read.commit()
        with pytest.raises(RuntimeError, match="has written it"):
            await _entry(read, uuid.uuid4())
    assert await _outbox_keys(engine) == []


class _Effect:
    pass


async def test_a_flush_is_refused(engine):
    mapper = registry()
    mapper.map_imperatively(_Effect, effects)
    try:
        async with _audited_read(engine) as read:
            await read.session.flush()  # nothing pending: nothing to refuse
            effect = _Effect()
            effect.event_id, effect.user_id = uuid.uuid4(), uuid.uuid4()  # type: ignore[attr-defined]
            read.session.add(effect)
            with pytest.raises(RuntimeError, match="flushes nothing"):
                await read.session.flush()
    finally:
        mapper.dispose()
    assert await _effects(engine) == 0


async def test_it_takes_only_its_own_sessions(engine):
    # A transactional session's entry would be rolled back: `commit()` commits nothing.
    with pytest.raises(TypeError, match="audited_read_sessions"):
        async with AuditedRead(async_sessionmaker(engine), producer="test"):
            pass


async def test_a_connection_it_used_is_transactional_again_for_a_unit_of_work(schema):
    one = create_engine(KIT_DATABASE_URL, pool_size=1, search_path=schema)
    try:  # one after the other: the unit of work gets the connection the audited read had
        async with _audited_read(one) as read:
            await _entry(read, uuid.uuid4())
        async with UnitOfWork(async_sessionmaker(one), producer="test") as uow:
            first = (await uow.session.execute(text(TWO_NOWS))).scalar_one()
            second = (await uow.session.execute(text(TWO_NOWS))).scalar_one()
        assert first == second
    finally:
        await one.dispose()

"""Group commit (`servicekit.group_commit`): every write is committed before its caller goes on,
many in one transaction; one bad write fails alone; an outage fails every caller, as an outage;
and an audited read's entry goes through it."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from pydantic import SecretStr
from servicekit.db import AuditedRead, audited_read_sessions, create_engine
from servicekit.db_errors import is_connection_failure
from servicekit.group_commit import GroupCommit, WriteNotCommitted
from servicekit.service import Runtime, ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData, bindparam, func, insert, select
from sqlalchemy.engine import make_url

from tests.conftest import KIT_DATABASE_URL
from tests.integration.servicekit.effects import effects
from tests.integration.servicekit.severable_link import SeverableLink

pytestmark = pytest.mark.integration

WRITE = insert(effects).values(
    event_id=bindparam("event_id"), user_id=bindparam("user_id"), note=bindparam("note")
)


def an_effect(note: str = "ok", user_id: uuid.UUID | None = None) -> dict[str, object]:
    return {"event_id": uuid.uuid4(), "user_id": user_id or uuid.uuid4(), "note": note}


async def notes(engine) -> list[str]:
    async with engine.connect() as conn:
        return sorted((await conn.scalars(select(effects.c.note))).all())


async def test_a_lone_write_is_committed_before_it_returns(engine):
    writes = GroupCommit(engine)
    await writes.write(WRITE, an_effect("alone"))
    assert await notes(engine) == ["alone"]
    assert writes.transactions == 1


async def test_writes_arriving_together_share_transactions_and_all_commit(engine):
    writes = GroupCommit(engine)
    await asyncio.gather(*(writes.write(WRITE, an_effect(f"n{n:02}")) for n in range(40)))
    assert await notes(engine) == [f"n{n:02}" for n in range(40)]
    # All were waiting before the writer first ran: one transaction.
    assert writes.transactions == 1


async def test_a_bad_write_fails_alone_and_the_others_commit(engine):
    writes = GroupCommit(engine)
    bad = {"event_id": uuid.uuid4(), "user_id": None, "note": "bad"}  # user_id is NOT NULL
    outcomes = await asyncio.gather(
        writes.write(WRITE, an_effect("first")),
        writes.write(WRITE, an_effect("second")),
        writes.write(WRITE, bad),
        writes.write(WRITE, an_effect("third")),
        return_exceptions=True,
    )
    assert outcomes[:2] == [None, None] and outcomes[3] is None
    assert isinstance(outcomes[2], WriteNotCommitted)
    assert "null value" in str(outcomes[2].__cause__)
    assert not is_connection_failure(outcomes[2])
    assert await notes(engine) == ["first", "second", "third"]


async def test_a_cancelled_callers_write_is_still_committed(engine):
    writes = GroupCommit(engine)
    first = asyncio.create_task(writes.write(WRITE, an_effect("first")))
    await asyncio.sleep(0)  # the first transaction is under way
    gone = asyncio.create_task(writes.write(WRITE, an_effect("gone")))
    await asyncio.sleep(0)
    gone.cancel()
    await first
    await writes.write(WRITE, an_effect("last"))
    assert gone.cancelled()
    assert await notes(engine) == ["first", "gone", "last"]


async def test_an_outage_fails_every_waiting_caller_as_an_outage(schema):
    link = SeverableLink(KIT_DATABASE_URL)
    await link.open()
    url = make_url(KIT_DATABASE_URL).set(port=link.port)
    engine = create_engine(url, pool_size=1, search_path=schema)
    writes = GroupCommit(engine)
    try:
        await writes.write(WRITE, an_effect("before"))
        await link.sever()
        outcomes = await asyncio.gather(
            *(writes.write(WRITE, an_effect("during")) for _ in range(3)), return_exceptions=True
        )
        await link.mend()
        await writes.write(WRITE, an_effect("after"))
    finally:
        await engine.dispose()
        await link.close()
    assert all(isinstance(outcome, WriteNotCommitted) for outcome in outcomes), outcomes
    assert all(is_connection_failure(outcome) for outcome in outcomes)
    check = create_engine(KIT_DATABASE_URL, pool_size=1, search_path=schema)
    try:
        assert await notes(check) == ["after", "before"]
    finally:
        await check.dispose()


async def test_an_audited_reads_entry_goes_through_the_group_commit_once(engine):
    writes = GroupCommit(engine)
    async with AuditedRead(audited_read_sessions(engine), "test", writes=writes) as read:
        await read.write(WRITE, an_effect("entry"))
        with pytest.raises(RuntimeError, match="has written it"):
            await read.write(WRITE, an_effect("second"))
        with pytest.raises(TypeError, match="INSERT"):
            await read.write(select(func.now()), {})
    assert await notes(engine) == ["entry"]
    assert writes.transactions == 1


async def test_readers_holding_every_pooled_connection_still_get_their_entries(schema):
    """The entries are written on a connection of their own: readers that hold every connection
    of the pool while they wait for their entries would otherwise wait for ever."""

    class Settings(ServiceSettings):
        database_url: SecretStr = SecretStr(KIT_DATABASE_URL)

    definition = ServiceDefinition(
        name="auditing",
        title="Auditing",
        description="Reads that audit themselves.",
        settings=lambda: Settings(database_schema=schema, db_pool_size=2, background_workers=False),
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=[],
    )
    runtime = Runtime(definition, definition.settings())

    async def audited_read(n: int) -> None:
        async with runtime.audited_read() as read:
            await read.session.execute(select(func.count()).select_from(effects))
            await asyncio.sleep(0.05)  # every reader holds its connection now
            await read.write(WRITE, an_effect(f"r{n:02}"))

    try:
        await asyncio.wait_for(asyncio.gather(*(audited_read(n) for n in range(12))), 20)
        assert await notes(runtime.engine) == [f"r{n:02}" for n in range(12)]
    finally:
        await runtime.close()

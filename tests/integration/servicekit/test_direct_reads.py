"""Direct reads (`servicekit.direct_reads`) give the rows a read session gives, on connections
opened like the pool's, one round trip per read, and refuse what they cannot run as one
prepared statement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from servicekit import direct_reads
from servicekit.db import ConnectOptions, asyncpg_dsn, read_sessions
from servicekit.direct_reads import DirectReads, Query, direct_read_connections
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, UUID, Range

from tests.conftest import KIT_DATABASE_URL

pytestmark = pytest.mark.integration

things = Table(
    "things",
    MetaData(),
    Column("thing_id", UUID(as_uuid=True), primary_key=True),
    Column("name", String, nullable=False),
    Column("tags", ARRAY(String), nullable=False),
    Column("shape", JSONB, nullable=False),
    Column("period", TSTZRANGE),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("count", Integer),
)

ONE = Query(select(things).where(things.c.thing_id == bindparam("thing_id")))
NAMED = Query(
    select(things.c.name.label("called"), things.c.tags)
    .where(things.c.name == bindparam("name"))
    .order_by(things.c.thing_id)
)


@pytest.fixture
async def reads(engine, schema):
    async with engine.begin() as conn:
        await conn.run_sync(things.metadata.create_all)
    reads = DirectReads(
        engine,
        asyncpg_dsn(KIT_DATABASE_URL),
        connections=2,
        search_path=schema,
        options=ConnectOptions(statement_timeout_ms=1234),
    )
    yield reads
    await reads.close()


def a_thing(**values):
    return {
        "thing_id": uuid.uuid4(),
        "name": "drill",
        "tags": ["ortho", "mobile"],
        "shape": {"weight_kg": 2.5, "parts": [1, 2], "note": None},
        "period": Range(datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 4, tzinfo=UTC)),
        "made_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "count": 3,
    } | values


async def test_a_row_holds_what_a_read_session_row_holds(engine, reads):
    kept = [a_thing(), a_thing(period=None, count=None, tags=[], shape=[])]
    async with engine.begin() as conn:
        await conn.execute(things.insert(), kept)
    for thing in kept:
        async with read_sessions(engine)() as session:
            expected = (await session.execute(ONE.statement, thing)).one()
        (row,) = await reads.all(ONE, thing_id=thing["thing_id"])
        assert tuple(row) == tuple(expected)
        assert row._mapping == dict(expected._mapping)
        assert row.shape == thing["shape"] and row.period == thing["period"]
        assert isinstance(row.thing_id, uuid.UUID)


async def test_rows_come_in_order_by_their_labels_and_none_is_an_empty_list(engine, reads):
    first, second = a_thing(name="saw"), a_thing(name="saw", tags=["x"])
    async with engine.begin() as conn:
        await conn.execute(things.insert(), [first, second])
    rows = await reads.all(NAMED, name="saw")
    assert [row.called for row in rows] == ["saw", "saw"]
    assert sorted(row.tags for row in rows) == sorted([first["tags"], second["tags"]])
    assert await reads.all(NAMED, name="nothing") == []


async def test_connections_are_opened_like_the_pools(reads, schema):
    settings = Query(
        select(
            literal_column("current_setting('search_path')").label("search_path"),
            literal_column("current_setting('statement_timeout')").label("timeout"),
            literal_column("current_setting('application_name')").label("application"),
        )
    )
    (row,) = await reads.all(settings)
    assert schema in row.search_path
    assert row.timeout == "1234ms"
    assert row.application == "surgery-scheduling"


async def test_a_read_is_one_round_trip_and_keeps_its_connection(reads, engine):
    """No reset statement after each read (asyncpg's default is one more round trip): the
    backend's statement count grows by the read alone, and the same backend serves again."""
    backend = Query(select(literal_column("pg_backend_pid()").label("pid")))
    (first,) = await reads.all(backend)
    (second,) = await reads.all(backend)
    assert first.pid == second.pid
    async with engine.connect() as conn:
        last = await conn.scalar(
            text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": first.pid}
        )
    assert "pg_backend_pid" in last, last  # not RESET ALL, CLOSE ALL or UNLISTEN


async def test_a_missing_parameter_and_an_expanding_one_are_refused(reads):
    with pytest.raises(TypeError, match="thing_id"):
        await reads.all(ONE)
    listed = Query(select(things).where(things.c.name.in_(bindparam("names", expanding=True))))
    with pytest.raises(TypeError, match="expanding"):
        await reads.all(listed, names=["a"])


def test_the_direct_reads_take_half_the_pools_share_and_at_least_one():
    assert [direct_read_connections(size) for size in (1, 2, 5, 10)] == [1, 1, 2, 5]


class _Silent:
    """A pooled connection whose link was cut without a word: its ping never answers."""

    def get_server_pid(self) -> int:
        return 42

    async def execute(self, query: str, *, timeout: float) -> None:
        raise TimeoutError


class _Answering:
    """A pooled connection that answers, and remembers what it was sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def get_server_pid(self) -> int:
        return 43

    async def execute(self, query: str, *, timeout: float) -> None:
        self.sent.append(query)


async def test_only_a_connection_idle_long_or_unknown_is_pinged(reads, monkeypatch):
    connection = _Answering()
    await reads._note_release(connection)  # just released: not pinged
    await reads._ping_if_idle(connection)
    assert connection.sent == []
    await reads._note_release(connection)
    monkeypatch.setattr(direct_reads.time, "monotonic", lambda: 1e12)  # long after
    await reads._ping_if_idle(connection)
    assert connection.sent == ["SELECT 1"]
    await reads._ping_if_idle(connection)  # never released since (a new one): pinged
    assert connection.sent == ["SELECT 1", "SELECT 1"]


async def test_a_connection_idle_long_is_pinged_and_a_silent_one_is_given_up(reads, monkeypatch):
    (row,) = await reads.all(Query(select(literal_column("pg_backend_pid()").label("pid"))))
    reads._released[row.pid] = 0.0  # released long ago
    # The same connection, pinged and answering: served.
    (again,) = await reads.all(Query(select(literal_column("pg_backend_pid()").label("pid"))))
    assert again.pid == row.pid
    # One that does not answer is refused to the read, which is taken once more on another.
    with pytest.raises(direct_reads._Unanswered):
        await reads._ping_if_idle(_Silent())
    tries = []
    fetch = reads._fetch

    async def silent_once(*args):
        tries.append(1)
        if len(tries) == 1:
            raise direct_reads._Unanswered
        return await fetch(*args)

    monkeypatch.setattr(reads, "_fetch", silent_once)
    assert len(await reads.all(ONE, thing_id=uuid.uuid4())) == 0
    assert len(tries) == 2

"""Reads by id straight on asyncpg: a SELECT built with SQLAlchemy Core, compiled once, run on a
small asyncpg pool of the worker's own, its rows read by name.

Why: one room by id through a read session (the ORM `AsyncSession`, SQLAlchemy's pool, its
greenlet bridge) cost 800-860 us of Python CPU in process; asyncpg's own pool, acquire, fetch
and release, 391-440 us (docs/performance.md, fifth round). For the hottest reads, a room, a
staff member or a case by id that every board and form asks for, that was half of what the
service spent on the request. Everything else stays on SQLAlchemy: lists, writes, audited reads,
anything that needs a transaction.

What a read here is: one statement, its own snapshot (as a read session's statements under READ
COMMITTED), on a connection opened like the pool's (`ConnectOptions`: TLS, statement and lock
timeouts, the service's schema), with JSON decoded as SQLAlchemy's connections decode it and
each column's value converted by its SQLAlchemy type's result processor, so a row here holds
the values a read session's row would (`tests/integration/servicekit/test_direct_reads.py`).
A failure is the same as the read session's to the caller: a database that cannot be reached
raises what `db_errors.is_connection_failure` takes for an outage (so the answer is 503 with
Retry-After); asyncpg's pool replaces a connection a restart closed when it hands it out, and a
connection idle for `IDLE_BEFORE_PING_SECONDS` is pinged first, as the read session's pool does
(a link cut without a word): one that does not answer is closed and the read taken on a new one.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.db_connections import ConnectOptions

__all__ = ["DirectReads", "Query", "direct_read_connections"]

# A connection idle this long is pinged before a read (as `servicekit.db`'s pool does); one idle
# for CLOSE_IDLE_SECONDS is closed. Under load every connection is back in use within ms.
IDLE_BEFORE_PING_SECONDS = 10.0
PING_TIMEOUT_SECONDS = 5.0
CLOSE_IDLE_SECONDS = 300.0
# How long a read waits for one of the pool's connections before it fails as an outage (503).
ACQUIRE_TIMEOUT_SECONDS = 10.0


def direct_read_connections(pool_size: int) -> int:
    """The direct reads' share of a worker's 2 x `pool_size` connections (the rest are
    SQLAlchemy's pool): a read holds one for a single round trip, so few serve many."""
    return max(1, pool_size // 2)


class Query:
    """A Core SELECT for `DirectReads`: compiled for asyncpg once, on its first run, with its
    parameters' order and each column's result processor."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None
        _QUERIES.add(self)

    def compiled(self, dialect: Dialect) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self.statement, dialect)
        return self._compiled


# Every query made (they are module constants): `DirectReads.warm` compiles them at the start.
_QUERIES: weakref.WeakSet[Query] = weakref.WeakSet()


class _Compiled:
    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        if "POSTCOMPILE" in self.sql:
            # An `IN` of a list, rendered per call: not one statement to prepare once.
            raise TypeError("a direct read takes a statement without expanding parameters")
        self.names: list[str] = list(compiled.positiontup or ())
        self.binds = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        ]
        columns = list(statement.selected_columns)
        self.row = _row_type([str(column.key) for column in columns])
        self.results: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]
        self.plain = not any(self.results)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        missing = [name for name in self.names if name not in params]
        if missing:
            raise TypeError(f"the query needs parameters {missing}")
        return [
            value if bind is None else bind(value)
            for bind, value in zip(self.binds, (params[name] for name in self.names), strict=True)
        ]

    def rows(self, records: list[asyncpg.Record]) -> list[Any]:
        make = self.row._make
        if self.plain:
            return [make(record.values()) for record in records]
        results = self.results
        return [
            make(
                value if process is None or value is None else process(value)
                for process, value in zip(results, record.values(), strict=True)
            )
            for record in records
        ]


def _row_type(keys: list[str]) -> type[Any]:
    """A named tuple of the columns, with a read-only `_mapping` as a SQLAlchemy Row has."""
    base = namedtuple("DirectRow", keys, rename=True)  # type: ignore[misc]

    class DirectRow(base):
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(keys, self, strict=True))

    return DirectRow


class DirectReads:
    """One worker's direct reads: an asyncpg pool of at most `connections`, opened on first use
    (a service that reads nothing this way opens none)."""

    def __init__(
        self,
        engine: AsyncEngine,
        dsn: str,
        *,
        connections: int,
        search_path: str | None = None,
        options: ConnectOptions | None = None,
    ) -> None:
        self._dialect = engine.dialect
        self._dsn = dsn
        self._connections = connections
        self._arguments = (options or ConnectOptions()).asyncpg_arguments(search_path)
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._released: dict[int, float] = {}  # by backend pid: when it was last released

    async def all(self, query: Query, **params: Any) -> list[Any]:
        """Every row of `query`, each a named tuple of its columns."""
        compiled = query.compiled(self._dialect)
        arguments = compiled.arguments(params)
        pool = self._pool or await self._open()
        try:
            return await self._fetch(pool, compiled, arguments)
        except _Unanswered:  # that connection is closed now: once more, on another
            return await self._fetch(pool, compiled, arguments)

    async def warm(self, connections: int) -> None:
        """Compiles every query and opens up to `connections` of the pool's connections now
        (a worker's start: `servicekit.warmup`), each query prepared once on each, so the first
        reads find them ready (the statement's types known to the connection: asyncpg looks up
        a type it has not met, a round trip or more). A process that has made no query opens
        none."""
        compiled = []
        for query in list(_QUERIES):
            try:
                compiled.append(query.compiled(self._dialect))
            except TypeError:  # not one statement: its first run says so, as it always has
                continue
        if not compiled:
            return
        pool = self._pool or await self._open()
        opened = []
        try:
            for _ in range(min(connections, self._connections)):
                opened.append(connection := await pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS))
                for statement in compiled:
                    try:
                        await connection.prepare(statement.sql)
                    except asyncpg.PostgresError:  # its own read will say why, as before
                        continue
        finally:
            for connection in opened:
                await pool.release(connection)

    async def _fetch(
        self, pool: asyncpg.Pool, compiled: _Compiled, arguments: list[Any]
    ) -> list[Any]:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as connection:
            records = await connection.fetch(compiled.sql, *arguments)
        return compiled.rows(records)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=0,
                    max_size=self._connections,
                    max_inactive_connection_lifetime=CLOSE_IDLE_SECONDS,
                    init=_decode_json,
                    setup=self._ping_if_idle,
                    reset=self._note_release,
                    **self._arguments,
                )
            return self._pool

    async def _ping_if_idle(self, connection: Any) -> None:
        """asyncpg's `setup`, on every acquire: a connection idle long (or not known to have
        been used lately) is pinged first; one that does not answer is closed by asyncpg, and
        the read is taken again."""
        released = self._released.pop(connection.get_server_pid(), None)
        if released is not None and time.monotonic() - released < IDLE_BEFORE_PING_SECONDS:
            return
        try:
            await connection.execute("SELECT 1", timeout=PING_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise _Unanswered from exc

    async def _note_release(self, connection: Any) -> None:
        """asyncpg's `reset`, on every release. A direct read is one SELECT: it leaves no
        setting, cursor, LISTEN or advisory lock on its connection, so nothing is sent (asyncpg's
        default, `RESET ALL`, `CLOSE ALL`, `UNLISTEN *` and unlocking, is a second round trip
        per read; an open transaction is still rolled back, by asyncpg, before this)."""
        if len(self._released) > _RELEASES_KEPT:  # those of connections closed while idle
            self._released.clear()  # (their next use is pinged: harmless)
        self._released[connection.get_server_pid()] = time.monotonic()


_RELEASES_KEPT = 256


class _Unanswered(Exception):
    """A pooled connection did not answer its ping."""


async def _decode_json(connection: asyncpg.Connection) -> None:
    """JSON and JSONB as Python values, as SQLAlchemy's asyncpg connections give them."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", encoder=json.dumps, decoder=json.loads, format="text"
        )

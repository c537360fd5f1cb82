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
Retry-After); asyncpg's pool replaces a connection a restart closed when it hands it out, and
closes one idle for `IDLE_SECONDS` (the read session pings one idle that long instead).
"""

from __future__ import annotations

import asyncio
import json
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.db_connections import ConnectOptions

__all__ = ["DirectReads", "Query", "direct_read_connections"]

# A connection idle this long is closed, not handed out again: a link cut without a word would
# otherwise hang the next read (the read session pings such a connection; here a new one is
# cheaper than a ping on every use). Under load every connection is back in use within ms.
IDLE_SECONDS = 10.0
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

    def compiled(self, dialect: Dialect) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self.statement, dialect)
        return self._compiled


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

    async def all(self, query: Query, **params: Any) -> list[Any]:
        """Every row of `query`, each a named tuple of its columns."""
        compiled = query.compiled(self._dialect)
        arguments = compiled.arguments(params)
        pool = self._pool or await self._open()
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
                    max_inactive_connection_lifetime=IDLE_SECONDS,
                    init=_decode_json,
                    reset=_nothing_to_reset,
                    **self._arguments,
                )
            return self._pool


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """A direct read is one SELECT: it leaves no setting, cursor, LISTEN or advisory lock on
    its connection. asyncpg's default reset on release (`RESET ALL`, `CLOSE ALL`, `UNLISTEN *`,
    unlocking) would be a second round trip per read; an open transaction is still rolled
    back on release (asyncpg does that before this)."""


async def _decode_json(connection: asyncpg.Connection) -> None:
    """JSON and JSONB as Python values, as SQLAlchemy's asyncpg connections give them."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", encoder=json.dumps, decoder=json.loads, format="text"
        )

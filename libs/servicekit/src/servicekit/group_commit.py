"""Group commit: writes that must be durable before their callers go on, gathered into shared
transactions, one WAL flush for many.

Audited reads use it (`servicekit.db.AuditedRead.write`): every read of a case writes its audit
entry (the row and its event's outbox row) and may answer only once the entry is committed, so
that no read is ever served without its entry, a crash included. Committed one by one, each
entry cost a round trip through SQLAlchemy and a flush of PostgreSQL's WAL; at a board's rate of
reads that was most of what reading a case cost. Here a write waits in the worker's queue while
a transaction commits; the next transaction takes every write waiting by then, each statement's
rows in one `executemany` (asyncpg pipelines them in one round trip), and each caller returns
once its transaction has committed, or raises if it did not. A lone write is committed at once:
nothing waits for a batch to fill.

One write that fails on its own (a constraint, a value the column refuses) fails only its own
caller: a batch that fails, unless the database is away, is written again one write a
transaction. A write whose caller went away (a client that disconnected) is still committed:
an entry more, never one less.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.db_errors import is_connection_failure

__all__ = ["GroupCommit", "WriteNotCommitted"]


class WriteNotCommitted(Exception):
    """A grouped write's transaction did not commit; its cause says why (an outage is told by
    `db_errors.is_connection_failure`, which follows the cause)."""


@dataclass(frozen=True, slots=True)
class _Write:
    statement: Executable
    params: dict[str, Any]
    done: asyncio.Future[None]


class GroupCommit:
    """One worker's queue of grouped writes, on `engine`'s pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._waiting: list[_Write] = []
        self._writer: asyncio.Task[None] | None = None
        self.transactions = 0  # committed, for tests and the curious

    async def write(self, statement: Executable, params: dict[str, Any]) -> None:
        """Returns once `statement` with `params` is committed; raises WriteNotCommitted if its
        transaction was not."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Write(statement, params, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        await done

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._commit(batch)
        finally:
            self._writer = None

    async def _commit(self, batch: list[_Write]) -> None:
        try:
            await self._transaction(batch)
        except Exception as exc:
            if len(batch) > 1 and not is_connection_failure(exc):
                for write in batch:  # only the write at fault fails
                    await self._commit([write])
                return
            _settle(batch, exc)
        except BaseException as exc:  # cancelled (the worker stops): no caller waits forever
            _settle(batch, exc)
            raise
        else:
            _settle(batch, None)

    async def _transaction(self, batch: list[_Write]) -> None:
        by_statement: dict[int, list[_Write]] = {}
        for write in batch:
            by_statement.setdefault(id(write.statement), []).append(write)
        async with self._engine.begin() as connection:
            for writes in by_statement.values():
                await connection.execute(writes[0].statement, [write.params for write in writes])
        self.transactions += 1


def _settle(batch: list[_Write], failure: BaseException | None) -> None:
    for write in batch:
        if write.done.done():  # its caller was cancelled
            continue
        if failure is None:
            write.done.set_result(None)
        else:
            error = WriteNotCommitted("the write's transaction did not commit")
            error.__cause__ = failure
            write.done.set_exception(error)

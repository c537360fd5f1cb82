"""FastAPI dependencies every service's routes share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import AuditedRead, UnitOfWork
from servicekit.direct_reads import DirectReads
from servicekit.service import Runtime, SettingsT
from servicekit.settings import ServiceSettings


async def get_runtime(request: Request) -> Runtime[Any]:
    # Every dependency here is `async def`: FastAPI runs a plain `def` one in a worker thread,
    # a hop that cost a read by id a fifth of its time (docs/performance.md).
    # `app.state` is untyped; the lifespan put the service's own runtime there, whose settings
    # class the route names in `RuntimeDep[...]`.
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime


# `RuntimeDep[SchedulingSettings]` gives a route the runtime with its service's settings typed;
# a bare `RuntimeDep` is a runtime whose settings the route does not read.
RuntimeDep = Annotated[Runtime[SettingsT], Depends(get_runtime)]


async def get_unit_of_work(runtime: RuntimeDep[ServiceSettings]) -> AsyncIterator[UnitOfWork]:
    async with runtime.unit_of_work() as uow:
        yield uow


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]


async def get_read_session(runtime: RuntimeDep[ServiceSettings]) -> AsyncIterator[AsyncSession]:
    async with runtime.read_sessions() as session:
        yield session


# For a route that only reads and audits nothing: no transaction around its statements
# (`servicekit.db.read_sessions`); anything else takes `AuditedReadDep` or `UnitOfWorkDep`.
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]


async def get_audited_read(runtime: RuntimeDep[ServiceSettings]) -> AsyncIterator[AuditedRead]:
    async with runtime.audited_read() as read:
        yield read


# For a route whose only write is the audit entry of what it read: no transaction, the entry
# committed by itself (`servicekit.db.AuditedRead`); a change takes `UnitOfWorkDep`.
AuditedReadDep = Annotated[AuditedRead, Depends(get_audited_read)]


async def get_direct_reads(runtime: RuntimeDep[ServiceSettings]) -> DirectReads:
    return runtime.direct_reads


# For the hottest reads by id (one statement, audited by nothing): straight on asyncpg, a
# SELECT compiled once (`servicekit.direct_reads`); anything else takes a session above.
DirectReadsDep = Annotated[DirectReads, Depends(get_direct_reads)]

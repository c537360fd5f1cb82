"""The statements behind the run queue: record, claim with a lease, renew, finish, release."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from optimizer_service.db.tables import optimization_runs as runs

# Woken workers claim at once; the payload (the schema) only matters to nobody.
RUNS_CHANNEL = "optimization_runs"
FINISHED = ("succeeded", "failed")


@dataclass(frozen=True, slots=True)
class NewRun:
    source: str  # "http" or "event"
    problem: dict[str, Any]
    planner: str = "cp_sat"
    request_id: uuid.UUID | None = None
    requested_by: uuid.UUID | None = None
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """A run this worker holds until its lease expires; `claim_id` fences a stale holder out."""

    run_id: uuid.UUID
    claim_id: uuid.UUID
    source: str
    planner: str
    problem: dict[str, Any]
    request_id: uuid.UUID | None
    correlation_id: uuid.UUID | None
    causation_id: uuid.UUID | None
    attempts: int
    seed: int


async def insert_run(
    session: AsyncSession, run: NewRun, *, refused_with: dict[str, Any] | None = None
) -> uuid.UUID | None:
    """The new run's id, or None when a run for the same request exists already.

    A run `refused_with` a result (an invalid request) ends as it arrives: failed, never queued.
    """
    ended = (
        {}
        if refused_with is None
        else {"status": "failed", "result": refused_with, "finished_at": func.now()}
    )
    statement = (
        insert(runs)
        .values(
            run_id=uuid.uuid4(),
            source=run.source,
            planner=run.planner,
            problem=run.problem,
            request_id=run.request_id,
            requested_by=run.requested_by,
            correlation_id=run.correlation_id,
            causation_id=run.causation_id,
            seed=run.seed,
            **ended,
        )
        .on_conflict_do_nothing(index_elements=[runs.c.request_id])
        .returning(runs.c.run_id)
    )
    run_id: uuid.UUID | None = await session.scalar(statement)
    if run_id is not None and refused_with is None:
        # Transactional: delivered when (and only if) the run is committed.
        await session.execute(
            text("SELECT pg_notify(:channel, current_schema())"), {"channel": RUNS_CHANNEL}
        )
    return run_id


async def claim_next(session: AsyncSession, lease_seconds: float) -> Claim | None:
    """The oldest queued run, or a running one whose holder stopped renewing its lease."""
    claimable = or_(
        runs.c.status == "queued",
        and_(runs.c.status == "running", runs.c.lease_expires_at < func.now()),
    )
    oldest = (
        select(runs.c.run_id)
        .where(claimable)
        .order_by(runs.c.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            update(runs)
            .where(runs.c.run_id == oldest)
            .values(
                status="running",
                claim_id=uuid.uuid4(),
                attempts=runs.c.attempts + 1,
                started_at=func.now(),
                lease_expires_at=func.now() + timedelta(seconds=lease_seconds),
            )
            .returning(*(runs.c[field.name] for field in fields(Claim)))
        )
    ).first()
    return None if row is None else Claim(**row._mapping)


def _held(claim: Claim) -> ColumnElement[bool]:
    return and_(
        runs.c.run_id == claim.run_id,
        runs.c.claim_id == claim.claim_id,
        runs.c.status == "running",
    )


async def renew_lease(session: AsyncSession, claim: Claim, lease_seconds: float) -> bool:
    renewed = await session.scalar(
        update(runs)
        .where(_held(claim))
        .values(lease_expires_at=func.now() + timedelta(seconds=lease_seconds))
        .returning(runs.c.run_id)
    )
    return renewed is not None


async def finish(
    session: AsyncSession,
    claim: Claim,
    status: str,
    result: dict[str, Any],
    solver_workers: int,
) -> bool:
    """False when the claim was lost (lease expired, another worker took over)."""
    finished = await session.scalar(
        update(runs)
        .where(_held(claim))
        .values(
            status=status,
            result=result,
            solver_workers=solver_workers,
            finished_at=func.now(),
            claim_id=None,
            lease_expires_at=None,
        )
        .returning(runs.c.run_id)
    )
    return finished is not None


async def release(session: AsyncSession, claim: Claim) -> None:
    """Back to the queue, not counted as an attempt: this process stops, the run did no harm."""
    await session.execute(
        update(runs)
        .where(_held(claim))
        .values(
            status="queued",
            claim_id=None,
            lease_expires_at=None,
            started_at=None,
            attempts=runs.c.attempts - 1,
        )
    )
    await session.execute(
        text("SELECT pg_notify(:channel, current_schema())"), {"channel": RUNS_CHANNEL}
    )


async def queue_depth(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).where(runs.c.status == "queued")) or 0)


async def find(session: AsyncSession, run_id: uuid.UUID) -> Row[Any] | None:
    return (await session.execute(select(runs).where(runs.c.run_id == run_id))).first()


async def status_of(session: AsyncSession, run_id: uuid.UUID) -> str | None:
    return await session.scalar(select(runs.c.status).where(runs.c.run_id == run_id))


SUMMARY_COLUMNS: tuple[ColumnElement[Any], ...] = (
    runs.c.run_id,
    runs.c.source,
    runs.c.planner,
    runs.c.status,
    runs.c.request_id,
    runs.c.requested_by,
    runs.c.attempts,
    runs.c.created_at,
    runs.c.started_at,
    runs.c.finished_at,
    runs.c.seed,
    runs.c.solver_workers,
    runs.c.result["solver"].label("solver"),
    runs.c.result["failure"]["reason"].astext.label("failure_reason"),
)


async def page(
    session: AsyncSession, status: str | None, source: str | None, offset: int, limit: int
) -> tuple[list[Row[Any]], int]:
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(runs.c.status == status)
    if source:
        conditions.append(runs.c.source == source)
    total = await session.scalar(select(func.count()).select_from(runs).where(*conditions))
    rows = await session.execute(
        select(*SUMMARY_COLUMNS)
        .where(*conditions)
        .order_by(runs.c.created_at.desc(), runs.c.run_id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), int(total or 0)

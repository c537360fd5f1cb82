"""Optimizations: ask the optimizer for a proposal, and read it against the current plan.

A request stores the whole problem sent and each case's version then; the optimizer's answer
arrives by event (`handlers/optimizer_schedules.py`); `optimization_decisions` applies or
rejects it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.events.scheduling_surgeries import Booking
from contracts.planning import Plan, UnscheduledCase
from contracts.vocabulary import StaffRole
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.ids import uuid_or_none
from servicekit.pages import PageRequest
from servicekit.problems import Problem
from sqlalchemy import Result, Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import metrics
from scheduling_service.audit import audit_log
from scheduling_service.cases import cases
from scheduling_service.db.tables import optimizations, staff, surgery_requests
from scheduling_service.domain import emergency_insertion, proposals
from scheduling_service.domain.proposals import Placement, ProposalDiff
from scheduling_service.planning import planning_ask, planning_emergency, planning_problem
from scheduling_service.settings import SchedulingSettings

# Every column but the problem itself (it can run to megabytes), and the problem's size.
_SIZE = {
    "case_count": "cases",
    "room_count": "rooms",
    "staff_count": "staff",
    "unit_count": "equipment_units",
    "block_count": "blocks",
}
_COLUMNS = [c for c in optimizations.c if c.name != "problem"] + [
    func.jsonb_array_length(optimizations.c.problem[key]).label(label)
    for label, key in _SIZE.items()
]


@dataclass(frozen=True, slots=True)
class Optimization:
    """A stored optimization and, while it awaits a decision, its diff against the plan now."""

    row: Row[Any]
    diff: ProposalDiff | None = None
    statuses: dict[uuid.UUID, str] = field(default_factory=dict)
    surgeons: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    # The role each person fills: as booked now, and as the read model says for the proposal.
    booked_roles: dict[uuid.UUID, dict[uuid.UUID, StaffRole]] = field(default_factory=dict)
    roles: dict[uuid.UUID, StaffRole] = field(default_factory=dict)

    def role(self, case_id: uuid.UUID, staff_id: uuid.UUID) -> StaffRole | None:
        """The role a person would fill: the read model's, else the one they fill now."""
        return self.roles.get(staff_id) or self.booked_roles.get(case_id, {}).get(staff_id)


async def request(
    uow: UnitOfWork,
    asked: planning_ask.Ask | planning_emergency.EmergencyAsk,
    *,
    settings: SchedulingSettings,
    by: Principal,
) -> uuid.UUID:
    """Builds the problem, stores it and emits `OptimizationRequested`, in one transaction.

    An emergency insertion first turns into an ask naming its cases and locks, planned from now
    plus a margin (`planning_emergency`)."""
    now = datetime.now(UTC)
    mode: dict[str, Any] = {"mode": "default"}
    if isinstance(asked, planning_emergency.EmergencyAsk):
        insertion = await planning_emergency.insertion_of(
            uow.session, asked, timezone=settings.hospital_timezone, now=now
        )
        ask, now = insertion.ask, insertion.not_before
        mode = {"mode": "emergency", "emergency": insertion.summary(asked.surgery_ids)}
    else:
        ask = asked
    built = await planning_problem.build(
        uow.session, ask, timezone=settings.hospital_timezone, now=now
    )
    request_id = uuid.uuid4()
    requested_by = uuid_or_none(by.user_id)
    await uow.session.execute(
        insert(optimizations).values(
            request_id=request_id,
            status="requested",
            requested_by=requested_by,
            horizon_start=ask.first,
            horizon_end=ask.last,
            options=_options(ask, built) | mode,
            problem=built.problem.model_dump(mode="json"),
            case_versions={str(k): v for k, v in built.case_versions.items()},
        )
    )
    await uow.outbox.add(
        OptimizationRequested(
            request_id=request_id, requested_by=requested_by, problem=built.problem
        )
    )
    problem = built.problem
    await audit_log.record(
        uow,
        actor=audit_log.actor(by),
        action="optimization.request",
        record_id=request_id,
        details={
            "horizon": [ask.first.isoformat(), ask.last.isoformat()],
            "surgery_ids": [str(c.case_id) for c in problem.cases],
            "room_ids": [str(r.room_id) for r in problem.rooms],
            "left_out": [str(u.case_id) for u in built.left_out],
            "mode": mode["mode"],
        },
    )
    await uow.commit()
    metrics.OPTIMIZATIONS.labels("requested").inc()
    return request_id


def _options(ask: planning_ask.Ask, built: planning_problem.Built) -> dict[str, Any]:
    return {
        "room_ids": [str(i) for i in ask.room_ids] if ask.room_ids is not None else None,
        "surgery_ids": [str(i) for i in ask.surgery_ids] if ask.surgery_ids is not None else None,
        "locked_surgery_ids": sorted(str(i) for i in ask.locked_ids),
        "respect_blocks": ask.respect_blocks,
        "time_limit_seconds": ask.time_limit_seconds,
        "objective_weights": ask.objective_weights.model_dump(mode="json"),
        "left_out": [u.model_dump(mode="json") for u in built.left_out],
        "default_cases": built.default,
    }


async def list_optimizations(
    uow: UnitOfWork, page: PageRequest, *, status: str | None, by: Principal
) -> tuple[list[Row[Any]], int]:
    """Newest first; one audit entry naming what it returned."""
    conditions = [optimizations.c.status == status] if status else []
    session = uow.session
    total = await session.scalar(select(func.count()).select_from(optimizations).where(*conditions))
    rows = (
        await session.execute(
            select(*_COLUMNS)
            .where(*conditions)
            .order_by(optimizations.c.requested_at.desc(), optimizations.c.request_id)
            .offset(page.offset)
            .limit(page.limit)
        )
    ).all()
    await audit_log.record(
        uow,
        actor=audit_log.actor(by),
        action="optimization.list",
        record_id="*",
        details={"request_ids": [str(r.request_id) for r in rows], "status": status},
    )
    await uow.commit()
    return list(rows), int(total or 0)


async def get(uow: UnitOfWork, request_id: uuid.UUID, *, by: Principal) -> Optimization:
    """The optimization; while proposed, with its diff against the current plan."""
    found = await read(uow.session, request_id)
    # The view shows each case's booking: name them, as the other views do, so that the audit
    # of a surgery finds this read too.
    shown = [str(c.case_id) for c in found.diff.cases] if found.diff else []
    await audit_log.record(
        uow,
        actor=audit_log.actor(by),
        action="optimization.read",
        record_id=request_id,
        details={"surgery_ids": shown},
    )
    await uow.commit()
    return found


async def read(session: AsyncSession, request_id: uuid.UUID, *, lock: bool = False) -> Optimization:
    row = await row_of(session, request_id, lock=lock)
    plan = Plan.model_validate(row.plan) if row.plan is not None else None
    if row.status != "proposed" or plan is None:
        return Optimization(row)
    then = _versions(row)
    now = await _current_cases(session, then, lock=lock)
    current = await cases.bookings_of(session, list(then))
    left_out = [UnscheduledCase.model_validate(u) for u in row.options.get("left_out", [])]
    booked = {i: _placement(b, now[i].surgeon_id) for i, b in current.items() if i in now}
    if row.options.get("mode") == "emergency":
        plan = emergency_insertion.keep_booked_people(plan, booked)
    diff = proposals.diff(
        plan,
        booked,
        versions_then=then,
        versions_now={i: r.version for i, r in now.items()},
        left_out=left_out,
    )
    people = {s for a in plan.assignments for s in a.staff_ids}
    return Optimization(
        row,
        diff,
        statuses={i: r.status for i, r in now.items()},
        surgeons={i: r.surgeon_id for i, r in now.items()},
        booked_roles={i: {a.staff_id: a.role for a in b.staff} for i, b in current.items()},
        roles=await _roles(session, people),
    )


async def row_of(session: AsyncSession, request_id: uuid.UUID, *, lock: bool) -> Row[Any]:
    query = select(*_COLUMNS).where(optimizations.c.request_id == request_id)
    if lock:
        query = query.with_for_update(of=optimizations)
    row = (await session.execute(query)).first()
    if row is None:
        raise Problem(404, f"There is no optimization {request_id}.")
    return row


async def _current_cases(
    session: AsyncSession, ids: Collection[uuid.UUID], *, lock: bool
) -> dict[uuid.UUID, Row[Any]]:
    """The cases as they are now; locked in id order (as `booking.place` locks them) to apply."""
    query = (
        select(
            surgery_requests.c.surgery_id,
            surgery_requests.c.version,
            surgery_requests.c.status,
            surgery_requests.c.surgeon_id,
        )
        .where(surgery_requests.c.surgery_id.in_(list(ids)))
        .order_by(surgery_requests.c.surgery_id)
    )
    if lock:
        query = query.with_for_update()
    rows: Result[Any] = await session.execute(query)
    return {row.surgery_id: row for row in rows}


async def _roles(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, StaffRole]:
    if not ids:
        return {}
    query = select(staff.c.staff_id, staff.c.role).where(staff.c.staff_id.in_(list(ids)))
    return {row.staff_id: StaffRole(row.role) for row in await session.execute(query)}


def _versions(row: Row[Any]) -> dict[uuid.UUID, int]:
    return {uuid.UUID(k): int(v) for k, v in row.case_versions.items()}


def _placement(current: Booking, surgeon_id: uuid.UUID) -> Placement:
    return Placement(
        room_id=current.room_id,
        start=current.start,
        end=current.end,
        staff_ids=frozenset(a.staff_id for a in current.staff if a.staff_id != surgeon_id),
        unit_ids=frozenset(current.equipment_unit_ids),
    )

"""Deciding on a proposal: apply it, all or nothing and only if nothing changed, or reject it.

Applying books every moved and added case where the plan says, in one transaction, through
`booking.place`, which checks every rule again. Cases the plan leaves out (unscheduled,
unbooked) keep what they have: a booked case keeps its booking — but for an emergency
insertion, whose unbooked cases were pushed out to make room: applying postpones them.
Rejecting also ends a request the optimizer never answered; an answer arriving after that is
ignored.
"""

from __future__ import annotations

import uuid

from contracts.events.scheduling_surgeries import StaffAssignment
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.etags import ensure_fresh
from servicekit.ids import uuid_or_none
from servicekit.problems import Problem
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import metrics
from scheduling_service.audit import audit_log
from scheduling_service.booking import booking
from scheduling_service.cases import case_moves
from scheduling_service.db.tables import optimizations as optimizations_table
from scheduling_service.domain import proposals
from scheduling_service.domain.proposals import Placement
from scheduling_service.planning import optimizations
from scheduling_service.settings import SchedulingSettings

# A request still waiting may be rejected too: an optimizer that never answers must not leave
# it open for ever (`handlers/optimizer_schedules` then ignores a late answer).
_UNDECIDED = ("requested", "proposed", "failed")


async def apply(
    uow: UnitOfWork,
    request_id: uuid.UUID,
    *,
    settings: SchedulingSettings,
    by: Principal,
    if_match: str | None = None,
) -> None:
    """Books every moved and added case where the plan says, all or nothing."""
    found = await optimizations.read(uow.session, request_id, lock=True)
    row = found.row
    ensure_fresh(if_match, row.version)
    if row.status != "proposed" or found.diff is None:
        raise Problem(
            409, f"Only a proposed optimization can be applied; this one is {row.status}."
        )
    diff = found.diff
    _ensure_not_stale(diff)
    _ensure_locked_kept(diff, [uuid.UUID(i) for i in row.options.get("locked_surgery_ids", [])])
    placements = {
        case_id: _booking_placement(found, case_id, p) for case_id, p in diff.to_apply().items()
    }
    pushed_out = await _push_out(uow, found, by) if row.options.get("mode") == "emergency" else []
    if placements:
        try:
            await booking.place(uow, placements, settings=settings, actor=by, run_id=row.run_id)
        except Problem as refused:
            raise _with_unbooked_hint(refused, diff.ids_of(proposals.Change.UNBOOKED)) from None
    await _decide(uow.session, request_id, "applied", by)
    counts = diff.counts()
    await audit_log.record(
        uow,
        actor=audit_log.actor(by),
        action="optimization.apply",
        record_id=request_id,
        details={
            "run_id": str(row.run_id) if row.run_id else None,
            "booked": [str(i) for i in placements],
            "moved": counts[proposals.Change.MOVED],
            "added": counts[proposals.Change.ADDED],
            "postponed": [str(i) for i in pushed_out],
        },
    )
    await uow.commit()


async def _push_out(
    uow: UnitOfWork, found: optimizations.Optimization, by: Principal
) -> list[uuid.UUID]:
    """An emergency insertion's unbooked cases, postponed (`emergency_displaced`) with the
    plan's reason: their time is what the emergency needs. First, so placements find it free."""
    assert found.diff is not None
    out = [c for c in found.diff.cases if c.change == proposals.Change.UNBOOKED]
    for change in sorted(out, key=lambda c: str(c.case_id)):
        why = f"Pushed out by emergency optimization {found.row.request_id}: {change.reason}"
        if change.detail:
            why += f" ({change.detail})"
        await case_moves.stage_postpone(
            uow, change.case_id, "emergency_displaced", why, by=by, if_match=None
        )
    return [c.case_id for c in out]


def _ensure_not_stale(diff: proposals.ProposalDiff) -> None:
    if diff.stale:
        changed = [str(i) for i in diff.changed_case_ids]
        raise Problem(
            409,
            "The proposal is stale: these cases changed since it was requested: "
            f"{', '.join(changed)}. Request a new optimization.",
            title="Stale proposal",
            stale_case_ids=changed,
        )


def _ensure_locked_kept(diff: proposals.ProposalDiff, locked: list[uuid.UUID]) -> None:
    if moved := [str(i) for i in diff.locked_not_kept(locked)]:
        raise Problem(
            409,
            "The proposal does not keep these locked cases where they are booked: "
            f"{', '.join(moved)}. It cannot be applied; request a new optimization.",
            title="Locked cases moved",
            locked_case_ids=moved,
        )


def _with_unbooked_hint(refused: Problem, unbooked: frozenset[uuid.UUID]) -> Problem:
    """A booking refusal that, when a case the plan leaves out is in the way, says why: applying
    keeps the bookings of cases the plan unbooks."""
    others = {c.get("other_surgery_id") for c in refused.extensions.get("conflicts", [])}
    in_the_way = sorted(str(i) for i in unbooked if str(i) in others)
    if not in_the_way:
        return refused
    hint = (
        f" The plan leaves {', '.join(in_the_way)} out (unbooked), but applying it keeps their "
        "bookings, and they are in the way: cancel or postpone them first, or request a new "
        "optimization."
    )
    return Problem(
        refused.status,
        refused.detail + hint,
        title=refused.title,
        headers=refused.headers,
        **refused.extensions,
        unbooked_in_the_way=in_the_way,
    )


def _booking_placement(
    found: optimizations.Optimization, case_id: uuid.UUID, proposed: Placement
) -> booking.Placement:
    staff_assignments = []
    for staff_id in sorted(proposed.staff_ids):
        role = found.role(case_id, staff_id)
        if role is None:
            raise Problem(
                409,
                f"Staff member {staff_id}, whom the proposal assigns to case {case_id}, is no "
                "longer known to scheduling. Request a new optimization.",
            )
        staff_assignments.append(StaffAssignment(staff_id=staff_id, role=role))
    return booking.Placement(
        room_id=proposed.room_id,
        start=proposed.start,
        staff=tuple(staff_assignments),
        equipment_unit_ids=tuple(sorted(proposed.unit_ids)),
    )


async def reject(
    uow: UnitOfWork, request_id: uuid.UUID, *, by: Principal, if_match: str | None = None
) -> None:
    row = await optimizations.row_of(uow.session, request_id, lock=True)
    ensure_fresh(if_match, row.version)
    if row.status not in _UNDECIDED:
        raise Problem(
            409,
            f"Only an undecided (requested, proposed or failed) optimization can be rejected; "
            f"this one is {row.status}.",
        )
    await _decide(uow.session, request_id, "rejected", by)
    await audit_log.record(
        uow,
        actor=audit_log.actor(by),
        action="optimization.reject",
        record_id=request_id,
        details={"was": row.status},
    )
    await uow.commit()


async def _decide(session: AsyncSession, request_id: uuid.UUID, status: str, by: Principal) -> None:
    await session.execute(
        update(optimizations_table)
        .where(optimizations_table.c.request_id == request_id)
        .values(
            status=status,
            decided_by=uuid_or_none(by.user_id),
            decided_at=func.now(),
            version=optimizations_table.c.version + 1,
        )
    )
    metrics.OPTIMIZATIONS.labels(status).inc()

"""Booking a case or moving it: a placement checked against every rule, then written.

PostgreSQL's exclusion constraints are what keep two bookings from ever holding the same room,
person or unit at once, whatever raced; the rules are there to name what is in the way. A daily
maximum has no constraint to keep it, so bookings touching the same person on the same day wait
for each other (an advisory lock per person-day); others never wait.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from contracts.events.resources_staff import StaffMemberUpserted
from contracts.events.scheduling_surgeries import (
    Booking,
    StaffAssignment,
)
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.etags import ensure_fresh
from servicekit.problems import Problem
from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import metrics
from scheduling_service.audit import audit_log
from scheduling_service.booking import booking_locks, booking_records, placement_facts
from scheduling_service.booking.placement_facts import Known
from scheduling_service.cases import cases
from scheduling_service.domain import lifecycle
from scheduling_service.domain.booking.booking_facts import CaseNeeds, Placement, Proposal, propose
from scheduling_service.domain.booking.conflict import ResourceType
from scheduling_service.domain.booking.conflicts import Conflict, find_conflicts
from scheduling_service.read_model.resources_view import Unit
from scheduling_service.settings import SchedulingSettings

P = ParamSpec("P")
T = TypeVar("T")

__all__ = ["Conflict", "Placement", "RaceLost", "book", "check", "dry_run", "place"]

# The exclusion constraint that refused a write in a race → what it keeps apart.
_RACED: dict[str, ResourceType] = {
    "ex_bookings_room": "room",
    "ex_staff_assignments_person": "staff",
    "ex_equipment_usages_unit": "unit",
}
# A deadlock, a lock not granted in time: nothing was written, and a retry may succeed.
_RETRY = {"40P01", "55P03"}


async def check(
    session: AsyncSession,
    surgery_id: uuid.UUID,
    placement: Placement,
    settings: SchedulingSettings,
) -> list[Conflict]:
    """Every conflict of placing the case so; its own current booking is no obstacle."""
    case = case_needs(await cases.find(session, surgery_id))
    proposal = propose(case, placement)
    known = await placement_facts.gather(
        session,
        [proposal],
        ZoneInfo(settings.hospital_timezone),
        besides=[surgery_id],
        now=datetime.now(UTC),
    )
    [facts] = known.facts([proposal])
    return find_conflicts(case, proposal, facts)


async def dry_run(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    placement: Placement,
    *,
    settings: SchedulingSettings,
    actor: Principal,
) -> list[Conflict]:
    """`check`, recorded in the audit log: a dry run writes nothing else."""
    found = await check(uow.session, surgery_id, placement, settings)
    await audit_log.record(
        uow,
        actor=audit_log.actor(actor),
        action="booking.check",
        record_id=surgery_id,
        details={**_where(placement), "fits": not found, "conflicts": [c.code for c in found]},
    )
    await uow.commit()
    return found


async def book(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    placement: Placement,
    *,
    settings: SchedulingSettings,
    actor: Principal,
    reason_code: str | None = None,
    if_match: str | None = None,
) -> tuple[Row[Any], Booking | None]:
    """A coordinator books or moves one case (`place`), committed; the case and its booking as
    they then are. A refusal is audited too, in a transaction of its own: who tried to put the
    case where, and what stood in the way. Counted once in the metrics, outcome known."""
    try:
        placed = await _place(
            uow,
            {surgery_id: placement},
            settings=settings,
            actor=actor,
            run_id=None,
            reason_code=reason_code,
            if_match=if_match,
            allow_past=False,
            own_transaction=True,
        )
    except Problem as problem:
        if problem.status != 409:
            raise
        await uow.session.rollback()
        codes = [c["code"] for c in problem.extensions.get("conflicts", [])]
        await audit_log.record(
            uow,
            actor=audit_log.actor(actor),
            action="booking.refused",
            record_id=surgery_id,
            details={**_where(placement), "conflicts": codes},
        )
        await uow.commit()
        metrics.BOOKINGS.labels("race_lost" if isinstance(problem, RaceLost) else "refused").inc()
        for code in codes:
            metrics.BOOKING_CONFLICTS.labels(code).inc()
        raise
    # The case and its booking as written: nothing to read back.
    row, current = placed.rows[surgery_id], cases.as_read(placed.bookings[surgery_id])
    await uow.commit()
    metrics.BOOKINGS.labels("moved" if placed.moved else "booked").inc()
    return row, current


async def place(
    uow: UnitOfWork,
    placements: Mapping[uuid.UUID, Placement],
    *,
    settings: SchedulingSettings,
    actor: Principal | uuid.UUID | str,
    run_id: uuid.UUID | None = None,
    reason_code: str | None = None,
    if_match: str | None = None,
    allow_past: bool = False,
) -> set[uuid.UUID]:
    """Books waiting cases and moves booked ones, all in the unit of work's transaction; the
    ids of the cases that were moved (had a booking before).

    The cases are locked in id order and all their current bookings freed first, so cases may
    swap places; each placement is then judged against the database and against the others.
    Any conflict refuses the whole change (`409` naming every one, for the caller to roll back);
    so does a booking that lost a race between the check and the write, and a deadlock or lock
    timeout on the way (`RaceLost`). `if_match`, when given, is the version every case must
    still be at (one case, in practice). No case may start in the past unless `allow_past`
    (the demo seed's completed cases). Does not commit.
    """
    placed = await _place(
        uow,
        placements,
        settings=settings,
        actor=actor,
        run_id=run_id,
        reason_code=reason_code,
        if_match=if_match,
        allow_past=allow_past,
        own_transaction=False,
    )
    return placed.moved


@dataclass(frozen=True, slots=True)
class _Placed:
    """What `place` wrote: the ids of the cases moved, each case's row and booking as written."""

    moved: set[uuid.UUID]
    rows: dict[uuid.UUID, Row[Any]]
    bookings: dict[uuid.UUID, Booking]


def _race_lost_on_lock_failure(
    place: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[T]]:
    """Two changes of several cases each may wait on one another's rows or person-days, and
    PostgreSQL ends one of them (a deadlock, a lock not granted in time). Nothing was written:
    `RaceLost`, and the caller may simply try again."""

    @functools.wraps(place)
    async def placing(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await place(*args, **kwargs)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in _RETRY:
                raise
            raise RaceLost(
                "Another booking of the same rooms, people or units was being written at the "
                "same moment; nothing was changed. Check the schedule again and retry.",
                conflicts=[],
            ) from None

    return placing


@_race_lost_on_lock_failure
async def _place(
    uow: UnitOfWork,
    placements: Mapping[uuid.UUID, Placement],
    *,
    settings: SchedulingSettings,
    actor: Principal | uuid.UUID | str,
    run_id: uuid.UUID | None,
    reason_code: str | None,
    if_match: str | None,
    allow_past: bool,
    own_transaction: bool,
) -> _Placed:
    """`own_transaction`: the caller commits or rolls back the whole transaction on its own
    (`book`), so a write the database refuses may abort it; otherwise (`place`, whose caller
    may go on after a refusal) the bookings are written in a savepoint."""
    session = uow.session
    placed = {a.staff_id for placement in placements.values() for a in placement.staff}
    rows = await booking_locks.cases(session, sorted(placements), sorted(placed))
    for row in rows:
        ensure_fresh(if_match, row.version)
    # Only a case whose status holds resources has a booking to free.
    holding = [row.surgery_id for row in rows if row.status in lifecycle.HOLDING]
    previous = await cases.take_bookings(session, holding)
    needs = [case_needs(row) for row in rows]
    proposals = [propose(case, placements[case.surgery_id]) for case in needs]
    tz = ZoneInfo(settings.hospital_timezone)
    people = await booking_locks.person_days(session, proposals, tz, booking_locks.people_of(rows))
    now = None if allow_past else datetime.now(UTC)
    known, found = await _judged(session, needs, proposals, tz, now, people)
    if found:
        raise refused(found)
    made = {p.surgery_id: booking_of(case, p) for case, p in zip(needs, proposals, strict=True)}
    booked_by = booking_records.user_id_of(actor)

    async def recorded(units: Mapping[uuid.UUID, Unit] | None) -> dict[uuid.UUID, Row[Any]]:
        """Each case's record (`booking_records.record`); with `units`, its booking's rows too."""
        return {
            row.surgery_id: await booking_records.record(
                uow,
                row,
                previous.get(row.surgery_id),
                made[row.surgery_id],
                actor=actor,
                run_id=run_id,
                reason=reason_code,
                units=units,
            )
            for row in rows
        }

    try:
        if own_transaction:
            # A booking request (one case): its rows written with its record, one statement.
            written = await recorded(known.units)
        else:
            await _write(session, made, known, booked_by=booked_by, run_id=run_id)
    except IntegrityError as exc:
        if own_transaction:
            # The refusal aborted the transaction; what won is read in a new one (the winner
            # committed before the refusal, so it is there to be named).
            await session.rollback()
        _, found = await _judged(session, needs, proposals, tz, now, people)
        ids = list(made)
        lost: Sequence[tuple[uuid.UUID | None, Conflict]] = found or [
            (ids[0] if len(ids) == 1 else None, race_lost(exc))
        ]
        raise refused(lost, raced=True) from None
    if not own_transaction:
        written = await recorded(None)
    return _Placed(set(previous), written, made)


def case_needs(row: Row[Any]) -> CaseNeeds:
    """A `surgery_requests` row as the booking rules see it."""
    return CaseNeeds(
        surgery_id=row.surgery_id,
        status=row.status,
        surgeon_id=row.surgeon_id,
        duration_minutes=row.expected_duration_minutes,
        setup_minutes=row.setup_minutes,
        cleanup_minutes=row.cleanup_minutes,
        earliest_date=row.earliest_date,
        required_capabilities=frozenset(row.required_capabilities),
        equipment_types=tuple(row.equipment_types),
        roles_needed={r["role"]: r.get("count", 1) for r in row.staff_roles_needed},
    )


def booking_of(case: CaseNeeds, proposal: Proposal) -> Booking:
    """The contract's booking of a proposal that broke no rule."""
    return Booking(
        room_id=proposal.room_id,
        start=proposal.surgery.start,
        end=proposal.surgery.end,
        setup_minutes=case.setup_minutes,
        cleanup_minutes=case.cleanup_minutes,
        # In id order: bookings then take their people's rows in one order, and two of them
        # sharing people wait for each other instead of deadlocking.
        staff=tuple(StaffAssignment(staff_id=s, role=role) for s, role in sorted(proposal.staff)),
        equipment_unit_ids=proposal.unit_ids,
    )


class RaceLost(Problem):
    """A `409` refusal that came from the database after the checks passed: a double booking
    another change wrote first, a deadlock or a lock timeout. Retrying may well succeed."""

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(409, detail, title="Booking conflicts", **extensions)


def refused(found: Sequence[tuple[uuid.UUID | None, Conflict]], *, raced: bool = False) -> Problem:
    """The `409` naming every conflict, each with the case it is about; a `RaceLost` when the
    database refused what the checks had passed."""
    shown = "; ".join(c.message.rstrip(".") for _, c in found[:3])
    more = f"; and {len(found) - 3} more" if len(found) > 3 else ""
    conflicts = [{**c.as_json(), "surgery_id": str(case) if case else None} for case, c in found]
    detail = f"The booking was refused: {shown}{more}."
    if raced:
        return RaceLost(detail, conflicts=conflicts)
    return Problem(409, detail, title="Booking conflicts", conflicts=conflicts)


async def _judged(
    session: AsyncSession,
    needs: Sequence[CaseNeeds],
    proposals: Sequence[Proposal],
    tz: ZoneInfo,
    now: datetime | None,
    people: Mapping[uuid.UUID, StaffMemberUpserted],
) -> tuple[Known, list[tuple[uuid.UUID, Conflict]]]:
    known = await placement_facts.gather(
        session,
        proposals,
        tz,
        besides=[case.surgery_id for case in needs],
        now=now,
        staff=people,
    )
    found = [
        (case.surgery_id, conflict)
        for case, proposal, facts in zip(needs, proposals, known.facts(proposals), strict=True)
        for conflict in find_conflicts(case, proposal, facts)
    ]
    return known, found


async def _write(
    session: AsyncSession,
    made: Mapping[uuid.UUID, Booking],
    known: Known,
    *,
    booked_by: uuid.UUID | None,
    run_id: uuid.UUID | None,
) -> None:
    """Inserts the bookings in a savepoint, so that when the database refuses one (a race lost)
    the transaction can still read what won, to name it, and go on. A booking request, which
    owns its transaction, needs none (`_place`): two round trips fewer."""
    async with session.begin_nested():
        await cases.write_bookings(session, made, known.units, booked_by=booked_by, run_id=run_id)


def _where(placement: Placement) -> dict[str, Any]:
    return {"room_id": str(placement.room_id), "start": placement.start.isoformat()}


def race_lost(exc: IntegrityError) -> Conflict:
    """The conflict an exclusion constraint's refusal names: the kind of resource and which one.

    Used when checking again finds nothing in the way: the winner was already gone again.
    """
    cause = getattr(exc.orig, "__cause__", None)
    kind: ResourceType = _RACED.get(getattr(cause, "constraint_name", None) or "", "room")
    found = re.search(r"=\(([0-9a-f-]{36})", getattr(cause, "detail", None) or "")
    resource_id = uuid.UUID(found.group(1)) if found else None
    message = f"Another booking took this {kind} at the same moment; check again and retry."
    return Conflict(f"{kind}_double_booked", message, kind, resource_id)

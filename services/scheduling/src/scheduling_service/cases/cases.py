"""What every change of a case shares: find and lock it, its current booking, its history.

A case's `version` moves with every change of it or of its booking, and is its ETag: the
optimizer's proposals remember it to tell when a case changed under them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, timedelta
from typing import Any

from contracts.events.scheduling_surgeries import Booking, StaffAssignment
from servicekit import date_ranges
from servicekit.direct_reads import DirectReads, Query
from servicekit.problems import Problem
from sqlalchemy import (
    DateTime,
    Integer,
    Row,
    Text,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import (
    bookings,
    case_history,
    equipment_usages,
    staff_assignments,
    surgery_requests,
)
from scheduling_service.read_model.resources_view import Unit


async def find(session: AsyncSession, surgery_id: uuid.UUID, *, lock: bool = False) -> Row[Any]:
    """The surgery request, locked for the rest of the transaction when `lock`; else `404`."""
    query = select(surgery_requests).where(surgery_requests.c.surgery_id == surgery_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise Problem(404, f"There is no surgery request {surgery_id}.")
    return row


async def bump(session: AsyncSession, surgery_id: uuid.UUID, **values: Any) -> int:
    """Writes `values` and moves the case to its next version; returns that version."""
    version: int = (
        await session.execute(
            update(surgery_requests)
            .where(surgery_requests.c.surgery_id == surgery_id)
            .values(version=surgery_requests.c.version + 1, updated_at=func.now(), **values)
            .returning(surgery_requests.c.version)
        )
    ).scalar_one()
    return version


def advancing(names: frozenset[str]) -> Any:
    """`bump`'s statement writing the columns `names`, answering the whole row as it then is
    (what `find` would read back); built once, for a statement that writes rows of its own with
    it, as CTEs (a booking's)."""
    return _ADVANCES[names] if names in _ADVANCES else _advance(names)


def advance_parameters(surgery_id: uuid.UUID, values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of `advancing(frozenset(values))`."""
    return {"surgery_id_": surgery_id, **{f"new_{name}": v for name, v in values.items()}}


# `advancing`'s statements by the columns they write (a booking writes one of two sets): each
# built once with bind parameters, so SQLAlchemy's compiled cache answers without rebuilding.
_ADVANCES: dict[frozenset[str], Any] = {}


def _advance(names: frozenset[str]) -> Any:
    c = surgery_requests.c
    statement = (
        update(surgery_requests)
        .where(c.surgery_id == bindparam("surgery_id_", type_=c.surgery_id.type))
        .values(
            version=c.version + 1,
            updated_at=func.now(),
            **{name: bindparam(f"new_{name}", type_=c[name].type) for name in sorted(names)},
        )
        .returning(*c)
    )
    _ADVANCES[names] = statement
    return statement


async def bookings_of(
    session: AsyncSession, surgery_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Booking]:
    """The current booking of each case of `surgery_ids` that has one, as the contract says it:
    one statement, its people and units aggregated beside each booking."""
    if not surgery_ids:
        return {}
    rows = await session.execute(_BOOKINGS_OF, {"ids": list(surgery_ids)})
    # Positional (a row's attributes are looked up by name): the columns are `_BOOKINGS_OF`'s.
    return {row[0]: _read_booking(row[1:]) for row in rows}


async def with_booking(
    session: AsyncSession, surgery_id: uuid.UUID
) -> tuple[Row[Any], Booking | None]:
    """`find` and `booking_of` in one round trip: the request's row (its columns and the
    booking's, prefixed `booked_`, which a `surgery_requests` row's readers ignore) and its
    current booking."""
    row = (await session.execute(_WITH_BOOKING.statement, {"surgery_id_": surgery_id})).first()
    return _with_booking(surgery_id, row)


async def read_with_booking(
    reads: DirectReads, surgery_id: uuid.UUID
) -> tuple[Any, Booking | None]:
    """`with_booking`, straight on asyncpg: the API's read by id."""
    rows = await reads.all(_WITH_BOOKING, surgery_id_=surgery_id)
    return _with_booking(surgery_id, rows[0] if rows else None)


def _with_booking(surgery_id: uuid.UUID, row: Any) -> tuple[Any, Booking | None]:
    if row is None:
        raise Problem(404, f"There is no surgery request {surgery_id}.")
    booked = row[_WITH_BOOKING_BOOKED:]
    return row, None if booked[0] is None else _read_booking(booked)


def _read_booking(booked: tuple[Any, ...]) -> Booking:
    """`_booking` of `_booked()`'s columns as read (`booked`, in their order), validated once
    per process for the same columns: a board's reads ask for the same bookings again and
    again, and validating one (the model, each person) is most of reading a list's bookings.

    The key is every column, so a booking changed in any way is a new key (the model is
    frozen: one instance serves every reader); an old one is simply never asked for again.
    The instants come from PostgreSQL, always in UTC, so equal keys are equal values. Bounded:
    emptied past `_READ_BOOKINGS_KEPT`."""
    room_id, start, end, setup, cleanup, staff_ids, roles, unit_ids = booked
    staff_ids, roles, unit_ids = staff_ids or (), roles or (), unit_ids or ()
    key = (room_id, start, end, setup, cleanup, len(staff_ids), *staff_ids, *roles, *unit_ids)
    if (known := _READ_BOOKINGS.get(key)) is None:
        if len(_READ_BOOKINGS) >= _READ_BOOKINGS_KEPT:
            _READ_BOOKINGS.clear()
        known = _READ_BOOKINGS[key] = _booking(
            room_id, start, end, setup, cleanup, staff_ids, roles, unit_ids
        )
    return known


_READ_BOOKINGS: dict[tuple[Any, ...], Booking] = {}
_READ_BOOKINGS_KEPT = 5_000


def _booking(
    room_id: uuid.UUID,
    start: Any,
    end: Any,
    setup_minutes: int,
    cleanup_minutes: int,
    staff_ids: Sequence[uuid.UUID] | None,
    roles: Sequence[str] | None,
    unit_ids: Sequence[uuid.UUID] | None,
) -> Booking:
    """The booking of `_BOOKED` columns: people by role then id, units by id (an array is NULL
    where the booking has none)."""
    return Booking(
        room_id=room_id,
        start=start,
        end=end,
        setup_minutes=setup_minutes,
        cleanup_minutes=cleanup_minutes,
        staff=tuple(
            StaffAssignment(staff_id=staff_id, role=role)
            for staff_id, role in zip(staff_ids or (), roles or (), strict=True)
        ),
        equipment_unit_ids=tuple(unit_ids or ()),
    )


def _booked(source: Any = bookings) -> list[Any]:
    """A booking's columns, its people's ids and roles (by role, then id) and its units' ids
    (by id) as arrays: subqueries on the booking row (of `source`, the `bookings` table or
    rows of it) of the statement they are put in."""
    people_order = (staff_assignments.c.role, staff_assignments.c.staff_id)

    def people(column: Any) -> Any:
        return (
            select(func.array_agg(aggregate_order_by(column, *people_order)))
            .where(staff_assignments.c.surgery_id == source.c.surgery_id)
            .scalar_subquery()
        )

    unit_id = equipment_usages.c.unit_id
    units = (
        select(func.array_agg(aggregate_order_by(unit_id, unit_id)))
        .where(equipment_usages.c.surgery_id == source.c.surgery_id)
        .scalar_subquery()
    )
    b = source.c
    return [
        b.room_id.label("booked_room_id"),
        b.starts_at.label("booked_start"),
        b.ends_at.label("booked_end"),
        b.setup_minutes.label("booked_setup_minutes"),
        b.cleanup_minutes.label("booked_cleanup_minutes"),
        people(staff_assignments.c.staff_id).label("booked_staff_ids"),
        people(staff_assignments.c.role).label("booked_roles"),
        units.label("booked_unit_ids"),
    ]


# Built once, with bind parameters: the compiled cache answers every read.
_BOOKINGS_OF = select(bookings.c.surgery_id, *_booked()).where(
    bookings.c.surgery_id == any_(bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))
)
# Where `_WITH_BOOKING`'s booking columns (`_booked()`'s) start, after the request's.
_WITH_BOOKING_BOOKED = len(surgery_requests.c)
_WITH_BOOKING = Query(
    select(surgery_requests, *_booked())
    .outerjoin(bookings, bookings.c.surgery_id == surgery_requests.c.surgery_id)
    .where(
        surgery_requests.c.surgery_id
        == bindparam("surgery_id_", type_=surgery_requests.c.surgery_id.type)
    )
)


async def booking_of(session: AsyncSession, surgery_id: uuid.UUID) -> Booking | None:
    return (await bookings_of(session, [surgery_id])).get(surgery_id)


def as_read(booking: Booking) -> Booking:
    """A booking just written as `bookings_of` reads it back: its instants in UTC, its people by
    role then id, its units by id. Saves reading back what this transaction wrote."""
    return booking.model_copy(
        update={
            "start": booking.start.astimezone(UTC),
            "end": booking.end.astimezone(UTC),
            "staff": tuple(sorted(booking.staff, key=lambda a: (a.role.value, a.staff_id))),
            "equipment_unit_ids": tuple(sorted(booking.equipment_unit_ids)),
        }
    )


async def remember(
    session: AsyncSession,
    surgery_id: uuid.UUID,
    *,
    from_status: str | None,
    to_status: str,
    booking: Booking | None,
    changed_by: uuid.UUID | str | None,
    reason_code: str | None = None,
    reason: str | None = None,
    run_id: uuid.UUID | None = None,
) -> None:
    """One line of the case's history, with the booking it has (or had) at that moment."""
    await session.execute(
        _REMEMBER,
        history_line(
            surgery_id,
            from_status=from_status,
            to_status=to_status,
            booking=booking,
            changed_by=changed_by,
            reason_code=reason_code,
            reason=reason,
            run_id=run_id,
        ),
    )


def history_line(
    surgery_id: uuid.UUID,
    *,
    from_status: str | None,
    to_status: str,
    booking: Booking | None,
    changed_by: uuid.UUID | str | None,
    reason_code: str | None = None,
    reason: str | None = None,
    run_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """`remember`'s line unwritten, by column (`HISTORY_INSERT` takes them prefixed
    `history_`): for a statement that writes it with rows of its own (a booking's)."""
    return {
        "surgery_id": surgery_id,
        "from_status": from_status,
        "to_status": to_status,
        "reason_code": reason_code,
        "reason": reason,
        "booking": booking.model_dump(mode="json") if booking is not None else None,
        "changed_by": changed_by,
        "run_id": run_id,
    }


# Built once, like every statement a booking runs.
_REMEMBER = insert(case_history)
# A history line, its parameters named `history_<column>` (clear of any other statement's it is
# put in as a CTE).
HISTORY_INSERT = insert(case_history).values(
    {
        name: bindparam(f"history_{name}", type_=case_history.c[name].type)
        for name in (
            "surgery_id",
            "from_status",
            "to_status",
            "reason_code",
            "reason",
            "booking",
            "changed_by",
            "run_id",
        )
    }
)
_INSERT_BOOKINGS = insert(bookings)
_INSERT_PEOPLE = insert(staff_assignments)
_INSERT_UNITS = insert(equipment_usages)


async def write_bookings(
    session: AsyncSession,
    made: Mapping[uuid.UUID, Booking],
    units: Mapping[uuid.UUID, Unit],
    *,
    booked_by: uuid.UUID | None = None,
    run_id: uuid.UUID | None = None,
) -> None:
    """Inserts the bookings, their people and their units: three statements for any number of
    cases. PostgreSQL refuses any double booking. The caller frees the cases' previous
    bookings first, in the same transaction, so a move never collides with itself.

    Spans: the room from setup to cleanup, a person for the surgery, a unit for the surgery
    plus its turnaround. People and units go in id order: changes sharing some take their
    rows in one order, and wait for each other rather than deadlock.
    """
    if not made:
        return
    rooms = [
        {
            "surgery_id": surgery_id,
            "room_id": b.room_id,
            "starts_at": b.start,
            "ends_at": b.end,
            "setup_minutes": b.setup_minutes,
            "cleanup_minutes": b.cleanup_minutes,
            "room_period": date_ranges.period(b.room_taken_from, b.room_taken_until),
            "booked_by": booked_by,
            "run_id": run_id,
        }
        for surgery_id, b in sorted(made.items(), key=lambda item: item[1].room_id)
    ]
    await session.execute(_INSERT_BOOKINGS, _one_or_many(rooms))
    people: list[dict[str, Any]] = [
        {
            "surgery_id": surgery_id,
            "staff_id": a.staff_id,
            "role": a.role.value,
            "period": date_ranges.period(b.start, b.end),
        }
        for surgery_id, b in made.items()
        for a in b.staff
    ]
    if people:
        people.sort(key=lambda row: row["staff_id"])
        await session.execute(_INSERT_PEOPLE, _one_or_many(people))
    used: list[dict[str, Any]] = [
        {
            "surgery_id": surgery_id,
            "unit_id": unit_id,
            "equipment_type": units[unit_id].equipment_type,
            "turnaround_minutes": units[unit_id].turnaround_minutes,
            "period": date_ranges.period(
                b.start, b.end + timedelta(minutes=units[unit_id].turnaround_minutes)
            ),
        }
        for surgery_id, b in made.items()
        for unit_id in b.equipment_unit_ids
    ]
    if used:
        used.sort(key=lambda row: row["unit_id"])
        await session.execute(_INSERT_UNITS, _one_or_many(used))


def _booking_inserts() -> tuple[Any, Any, Any]:
    """`write_bookings` of one case as three CTEs (`booked`, `people`, `units`), for a
    statement that writes the case's booking with rows of its own (a booking request's): its
    parameters named `booking_<name>` (`booking_parameters`). The people's insert reads the
    booking's, the units' waits for the people's: the rows are taken in `write_bookings`'s
    order (the room, then people by id, then units by id) whichever way PostgreSQL runs the
    statement's CTEs."""
    uuids = ARRAY(UUID(as_uuid=True))
    b = bookings.c
    booked = (
        insert(bookings)
        .values(
            {
                name: bindparam(f"booking_{name}", type_=b[name].type)
                for name in (
                    "surgery_id",
                    "room_id",
                    "starts_at",
                    "ends_at",
                    "setup_minutes",
                    "cleanup_minutes",
                    "room_period",
                    "booked_by",
                    "run_id",
                )
            }
        )
        .returning(b.surgery_id)
        .cte("booked")
    )
    who = (
        func.unnest(
            bindparam("booking_staff_ids", type_=uuids),
            bindparam("booking_roles", type_=ARRAY(Text)),
        )
        .table_valued("staff_id", "role", with_ordinality="n")
        .render_derived()
    )
    people = (
        insert(staff_assignments)
        .from_select(
            ["surgery_id", "staff_id", "role", "period"],
            select(
                booked.c.surgery_id,
                who.c.staff_id,
                who.c.role,
                bindparam("booking_period", type_=staff_assignments.c.period.type),
            )
            .select_from(booked)
            .join(who, true())
            .order_by(who.c.n),
        )
        .returning(staff_assignments.c.staff_id)
        .cte("people")
    )
    used = (
        func.unnest(
            bindparam("booking_unit_ids", type_=uuids),
            bindparam("booking_equipment_types", type_=ARRAY(Text)),
            bindparam("booking_turnarounds", type_=ARRAY(Integer)),
            bindparam("booking_units_until", type_=ARRAY(DateTime(timezone=True))),
        )
        .table_valued(
            "unit_id", "equipment_type", "turnaround_minutes", "until", with_ordinality="n"
        )
        .render_derived()
    )
    units = (
        insert(equipment_usages)
        .from_select(
            ["surgery_id", "unit_id", "equipment_type", "turnaround_minutes", "period"],
            select(
                bindparam("booking_surgery_id", type_=b.surgery_id.type),
                used.c.unit_id,
                used.c.equipment_type,
                used.c.turnaround_minutes,
                func.tstzrange(
                    bindparam("booking_starts_at", type_=b.starts_at.type), used.c.until, "[)"
                ),
            )
            .select_from(used)
            .where(select(func.count()).select_from(people).scalar_subquery() >= 0)
            .order_by(used.c.n),
        )
        .returning(equipment_usages.c.unit_id)
        .cte("units")
    )
    return booked, people, units


BOOKING_INSERTS = _booking_inserts()


def booking_parameters(
    surgery_id: uuid.UUID,
    booking: Booking,
    units: Mapping[uuid.UUID, Unit],
    *,
    booked_by: uuid.UUID | None,
    run_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The parameters of `BOOKING_INSERTS`: the rows `write_bookings` writes of one case."""
    staff = sorted(booking.staff, key=lambda a: a.staff_id)
    unit_ids = sorted(booking.equipment_unit_ids)
    return {
        "booking_surgery_id": surgery_id,
        "booking_room_id": booking.room_id,
        "booking_starts_at": booking.start,
        "booking_ends_at": booking.end,
        "booking_setup_minutes": booking.setup_minutes,
        "booking_cleanup_minutes": booking.cleanup_minutes,
        "booking_room_period": date_ranges.period(
            booking.room_taken_from, booking.room_taken_until
        ),
        "booking_booked_by": booked_by,
        "booking_run_id": run_id,
        "booking_staff_ids": [a.staff_id for a in staff],
        "booking_roles": [a.role.value for a in staff],
        "booking_period": date_ranges.period(booking.start, booking.end),
        "booking_unit_ids": unit_ids,
        "booking_equipment_types": [units[u].equipment_type for u in unit_ids],
        "booking_turnarounds": [units[u].turnaround_minutes for u in unit_ids],
        "booking_units_until": [
            booking.end + timedelta(minutes=units[u].turnaround_minutes) for u in unit_ids
        ],
    }


def _one_or_many(rows: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """One row as one execution (a single booking's usual case), cheaper than an executemany."""
    return rows[0] if len(rows) == 1 else rows


async def free_bookings(session: AsyncSession, surgery_ids: Collection[uuid.UUID]) -> None:
    """Deletes the cases' bookings in one statement; their people and units go with them."""
    if surgery_ids:
        await session.execute(delete(bookings).where(bookings.c.surgery_id.in_(list(surgery_ids))))


async def take_bookings(
    session: AsyncSession, surgery_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Booking]:
    """`bookings_of` and `free_bookings` in one round trip: the cases' bookings deleted (their
    people and units go with them), answered as they were. The statement's subqueries read its
    snapshot, taken before its delete and its cascades; the caller holds the cases' locks."""
    if not surgery_ids:
        return {}
    rows = await session.execute(_TAKE_BOOKINGS, {"ids": list(surgery_ids)})
    # Not kept by `_read_booking`: a booking taken is read no more.
    return {row[0]: _booking(*row[1:]) for row in rows}


def _take_bookings() -> Any:
    taken = (
        delete(bookings)
        .where(bookings.c.surgery_id == any_(bindparam("ids", type_=ARRAY(UUID(as_uuid=True)))))
        .returning(*bookings.c)
        .cte("taken")
    )
    return select(taken.c.surgery_id, *_booked(taken))


_TAKE_BOOKINGS = _take_bookings()

"""The cases an optimization plans, read from the database: those asked for, or the default.

Cases named by id are planned as named, with the locked ones. By default the problem holds the
waiting cases `domain.default_cases` chooses for the chosen rooms (those rooms could take them,
their surgeon works in the horizon while a chosen room is free, they may start by its end; most
urgent first, capped by what the rooms and each surgeon could hold), and every case booked to
start in the horizon in the chosen rooms. Those booked cases are re-planned unless locked, so
the room time they hold, and their surgeons' time then, count as free: a room full of
electives still has room for an emergency. Every mandatory waiting case not chosen is kept out
with why (`Chosen.left_out`): beyond what the rooms or its surgeon could hold, no chosen room
could take it, or its surgeon has no time while a room is free.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip, intersect, merge, subtract
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.scheduling_surgeries import Booking
from contracts.planning import UnscheduledCase
from servicekit import date_ranges
from servicekit.problems import Problem
from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import bookings, surgery_requests
from scheduling_service.domain import default_cases
from scheduling_service.domain.default_cases import Candidate, RoomOffer
from scheduling_service.domain.lifecycle import BOOKED, WAITING
from scheduling_service.domain.planning_time import available_minutes
from scheduling_service.planning.planning_ask import Ask
from scheduling_service.planning.planning_horizon import Horizon
from scheduling_service.read_model import resources_view

_WHY_LEFT_OUT = {
    default_cases.NO_CAPACITY: (
        "Mandatory (emergency, urgent or past due), but the chosen rooms' free time or its "
        "surgeon's time in the horizon is already taken, by more urgent cases or by bookings "
        "kept where they are: plan more rooms or days to place it."
    ),
    default_cases.NO_CAPABLE_ROOM: (
        "Mandatory (emergency, urgent or past due), but none of the chosen rooms has every "
        "capability it requires: plan a room that has them."
    ),
    default_cases.NOT_IN_BLOCK: (
        "Mandatory (emergency, urgent or past due), but the capable chosen rooms' time is all "
        "blocked for other surgeons or services: plan another room or ignore blocks."
    ),
    default_cases.NO_SURGEON_TIME: (
        "Mandatory (emergency, urgent or past due), but its surgeon does not work in the "
        "horizon while a chosen room is free: plan more rooms or days, or change its surgeon."
    ),
}


@dataclass(frozen=True, slots=True)
class Chosen:
    rows: list[Row[Any]]
    # Mandatory waiting cases the default did not choose, each with why.
    left_out: tuple[UnscheduledCase, ...] = ()
    # How the default was chosen (None when the cases were named).
    default: dict[str, int] | None = None


async def chosen(
    session: AsyncSession, ask: Ask, horizon: Horizon, rooms: Sequence[OperatingRoomUpserted]
) -> Chosen:
    wanted = set(ask.locked_ids)
    if ask.surgery_ids is not None:
        return Chosen(await _rows(session, wanted | set(ask.surgery_ids)))
    booked = await _rows(session, await _booked_in(session, horizon.window, rooms))
    replanned = [_candidate(row) for row in booked if row.surgery_id not in wanted]
    free = await _free_room_time(session, horizon, rooms, {c.case_id for c in replanned})
    waiting = await _candidates(session, ask)
    surgeons = await _surgeons_time(
        session,
        horizon,
        {c.surgeon_id for c in chain(waiting, replanned)},
        merge(chain(*free.values())),
    )
    # A room's minute counts only while one of the cases' surgeons works.
    staffed = merge(chain(*(spans for _, spans in surgeons.values())))
    offers = await _room_offers(session, horizon, rooms, free, staffed)
    choice = default_cases.choose(
        waiting,
        offers,
        {s: minutes for s, (minutes, _) in surgeons.items()},
        first=ask.first,
        respect_blocks=ask.respect_blocks,
        booked=replanned,
    )
    rows = await _rows(session, wanted | set(choice.case_ids) | {r.surgery_id for r in booked})
    reasons = [(i, default_cases.NO_CAPACITY) for i in choice.beyond_capacity]
    left_out = tuple(
        UnscheduledCase(case_id=i, reason=why, detail=_WHY_LEFT_OUT[why])
        for i, why in [*reasons, *choice.unplaceable]
    )
    return Chosen(rows, left_out, choice.summary())


async def _rows(session: AsyncSession, wanted: Collection[uuid.UUID]) -> list[Row[Any]]:
    rows = (
        await session.execute(
            select(surgery_requests)
            .where(surgery_requests.c.surgery_id.in_(list(wanted)))
            .order_by(surgery_requests.c.surgery_id)
        )
    ).all()
    found = {row.surgery_id for row in rows}
    if unknown := sorted(str(i) for i in set(wanted) - found):
        raise Problem(422, f"Unknown surgery requests: {', '.join(unknown)}.", surgery_ids=unknown)
    plannable = WAITING | BOOKED
    if refused := [str(r.surgery_id) for r in rows if r.status not in plannable]:
        raise Problem(
            422,
            "Only waiting (requested, postponed) and booked (scheduled, confirmed) cases can be "
            f"planned; these are not: {', '.join(refused)}.",
            surgery_ids=refused,
        )
    return list(rows)


async def _free_room_time(
    session: AsyncSession,
    horizon: Horizon,
    rooms: Sequence[OperatingRoomUpserted],
    replanned: Collection[uuid.UUID],
) -> dict[uuid.UUID, list[Span]]:
    """Each chosen room's open time in the horizon less what bookings not re-planned hold."""
    held = await _held(session, horizon.window, [r.room_id for r in rooms], replanned)
    return {
        room.room_id: subtract(
            clip(resources_view.room_open(room, *horizon.dates), horizon.window),
            held.get(room.room_id, []),
        )
        for room in rooms
    }


async def _room_offers(
    session: AsyncSession,
    horizon: Horizon,
    rooms: Sequence[OperatingRoomUpserted],
    free: Mapping[uuid.UUID, list[Span]],
    staffed: list[Span],
) -> list[RoomOffer]:
    """Each chosen room's free time while a surgeon works, and whose blocks it holds."""
    by_id = {r.room_id: r for r in rooms}
    blocks: dict[uuid.UUID, list[tuple[Any, Span]]] = defaultdict(list)
    for block in await resources_view.live_blocks(session, list(by_id)):
        tz = ZoneInfo(by_id[block.room_id].timezone)
        for _, span in resources_view.block_occurrences(block, tz, *horizon.dates):
            blocks[block.room_id] += [(block, s) for s in clip([span], horizon.window)]
    offers = []
    for room in rooms:
        usable = intersect(free[room.room_id], staffed)
        mine = blocks[room.room_id]
        offers.append(
            RoomOffer(
                room_id=room.room_id,
                capabilities=frozenset(room.capabilities),
                free_minutes=sum(s.minutes for s in usable),
                unblocked=bool(subtract(usable, [s for _, s in mine])),
                block_surgeons=frozenset(b.surgeon_id for b, _ in mine if b.surgeon_id),
                block_services=frozenset(b.service for b, _ in mine if b.service),
            )
        )
    return offers


async def _held(
    session: AsyncSession,
    window: Span,
    room_ids: Collection[uuid.UUID],
    replanned: Collection[uuid.UUID],
) -> Mapping[uuid.UUID, list[Span]]:
    """What the bookings the problem does not move hold of the rooms in the window."""
    query = select(bookings.c.room_id, bookings.c.room_period).where(
        bookings.c.room_id.in_(list(room_ids)),
        bookings.c.room_period.overlaps(date_ranges.period(window.start, window.end)),
        bookings.c.surgery_id.not_in(list(replanned)),
    )
    held: dict[uuid.UUID, list[Span]] = defaultdict(list)
    for row in await session.execute(query):
        held[row.room_id].append(Span(row.room_period.lower, row.room_period.upper))
    return held


async def _candidates(session: AsyncSession, ask: Ask) -> list[Candidate]:
    """The waiting cases that may start by the horizon's end."""
    rows = await session.execute(
        select(surgery_requests).where(
            surgery_requests.c.status.in_([s.value for s in WAITING]),
            or_(
                surgery_requests.c.earliest_date.is_(None),
                surgery_requests.c.earliest_date <= ask.last,
            ),
        )
    )
    return [_candidate(row) for row in rows]


async def _surgeons_time(
    session: AsyncSession, horizon: Horizon, ids: Collection[uuid.UUID], room_time: list[Span]
) -> dict[uuid.UUID, tuple[int, list[Span]]]:
    """Each surgeon's working time in the horizon while a chosen room is free, and its minutes
    counted each day within their daily maximum."""
    found = {}
    for staff_id, member in (await resources_view.staff_by_id(session, ids)).items():
        available = clip(resources_view.staff_available(member, *horizon.dates), horizon.window)
        spans = intersect(available, room_time)
        minutes = available_minutes(spans, ZoneInfo(member.timezone), member.max_minutes_on)
        found[staff_id] = (minutes, spans)
    return found


def _candidate(row: Row[Any]) -> Candidate:
    return Candidate(
        case_id=row.surgery_id,
        surgeon_id=row.surgeon_id,
        specialty=row.specialty,
        priority=row.priority,
        due_date=row.due_date,
        created_at=row.created_at,
        surgery_minutes=row.expected_duration_minutes,
        room_minutes=row.setup_minutes + row.expected_duration_minutes + row.cleanup_minutes,
        required_capabilities=frozenset(row.required_capabilities),
    )


async def _booked_in(
    session: AsyncSession, window: Span, rooms: Sequence[OperatingRoomUpserted]
) -> set[uuid.UUID]:
    query = (
        select(surgery_requests.c.surgery_id)
        .join(bookings, bookings.c.surgery_id == surgery_requests.c.surgery_id)
        .where(
            surgery_requests.c.status.in_([s.value for s in BOOKED]),
            bookings.c.starts_at >= window.start,
            bookings.c.starts_at < window.end,
            bookings.c.room_id.in_([r.room_id for r in rooms]),
        )
    )
    return set(await session.scalars(query))


def check_booked_in_horizon(
    rows: Sequence[Row[Any]],
    current: Mapping[uuid.UUID, Booking],
    horizon: Horizon,
    locked: Collection[uuid.UUID],
) -> None:
    """A booked case is planned from where it is: that must be ahead, within the horizon."""
    window = horizon.window
    outside = [
        str(r.surgery_id)
        for r in rows
        if r.status in BOOKED
        and not (
            r.surgery_id in current and window.start <= current[r.surgery_id].start < window.end
        )
    ]
    if outside:
        raise Problem(
            422,
            "These booked cases start outside the horizon (or have started): "
            f"{', '.join(outside)}; widen the horizon or leave them out.",
            surgery_ids=outside,
        )
    if unbooked := sorted(
        str(r.surgery_id) for r in rows if r.surgery_id in locked and r.status not in BOOKED
    ):
        raise Problem(
            422,
            "Only booked cases can be locked where they are; these are not: "
            f"{', '.join(unbooked)}.",
            surgery_ids=unbooked,
        )

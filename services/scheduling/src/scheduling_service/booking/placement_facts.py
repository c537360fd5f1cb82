"""What the booking rules need from the database: the read model around each proposal, and
what other cases hold of the same rooms, people and units, in a handful of queries for any
number of proposals."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from servicekit import date_ranges
from sqlalchemy import (
    TIMESTAMP,
    Integer,
    all_,
    any_,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import (
    bookings,
    equipment,
    equipment_units,
    equipment_usages,
    rooms,
    staff_assignments,
)
from scheduling_service.domain.booking.booking_facts import (
    Facts,
    Held,
    Holdings,
    PersonFacts,
    Proposal,
    RoomFacts,
    UnitFacts,
    holdings,
)
from scheduling_service.read_model import resources_view
from scheduling_service.read_model.resources_view import Unit

# Other cases are read this far around the proposals: people's whole local days (their daily
# maximum) and the longest turnaround a unit can have.
_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Known:
    """The read model's rooms, people and units of some proposals, and what others hold."""

    rooms: dict[uuid.UUID, OperatingRoomUpserted]
    staff: dict[uuid.UUID, StaffMemberUpserted]
    units: dict[uuid.UUID, Unit]
    held: Holdings
    hospital_tz: ZoneInfo
    now: datetime | None

    def facts(self, proposals: Sequence[Proposal]) -> list[Facts]:
        """The facts of each proposal, in order. The proposals are one change: each is judged
        against the others as if they were already booked (and not against itself).

        What is held is indexed once by resource, and each proposal looks up only its own
        room, people and units; a room's or a person's open time is worked out once per day.
        Judging n proposals thus takes time in proportion to n, not n².
        """
        index = _Index()
        index.add(self.held)
        for proposal in proposals:
            index.add(holdings(proposal, self.unit_facts(proposal)))
        return [self._facts(proposal, index) for proposal in proposals]

    def _facts(self, proposal: Proposal, index: _Index) -> Facts:
        room, opened = self.rooms.get(proposal.room_id), None
        if room is not None:
            days = _days(proposal.room_span, room.timezone)
            opened = _worked_out("room", room.room_id, room, days, room_facts)
        people = {}
        for staff_id in proposal.staff_ids:
            if (member := self.staff.get(staff_id)) is not None:
                days = _days(proposal.surgery, member.timezone)
                people[staff_id] = _worked_out("staff", staff_id, member, days, person_facts)
        return Facts(
            room=opened,
            staff=people,
            units=self.unit_facts(proposal),
            hospital_tz=self.hospital_tz,
            now=self.now,
            held=index.around(proposal),
        )

    def unit_facts(self, proposal: Proposal) -> dict[uuid.UUID, UnitFacts]:
        return {u: unit_facts(self.units[u]) for u in proposal.unit_ids if u in self.units}


# A room's or a person's facts over some local dates, worked out once per process: by kind, id
# and dates, with the snapshot they were worked out from. Snapshots come validated once per id
# and version (`resources_view`), so the same object is a hit; a newer one is worked out anew
# and replaces it. The facts are a function of the snapshot and the dates alone.
_WORKED_OUT: dict[tuple[str, uuid.UUID, date, date], tuple[object, Any]] = {}
_WORKED_OUT_KEPT = 20_000

_S = TypeVar("_S")
_F = TypeVar("_F")


def _worked_out(
    kind: str,
    resource_id: uuid.UUID,
    snapshot: _S,
    days: tuple[date, date],
    facts: Callable[[_S, date, date], _F],
) -> _F:
    key = (kind, resource_id, *days)
    known = _WORKED_OUT.get(key)
    if known is not None and known[0] is snapshot:
        found: _F = known[1]
        return found
    if len(_WORKED_OUT) > _WORKED_OUT_KEPT:
        _WORKED_OUT.clear()
    made = facts(snapshot, *days)
    _WORKED_OUT[key] = (snapshot, made)
    return made


class _Index:
    """What is held, by kind and resource id: one proposal's share is a handful of lookups."""

    def __init__(self) -> None:
        self._by: dict[str, defaultdict[uuid.UUID, list[Held]]] = {
            kind: defaultdict(list) for kind in ("rooms", "staff", "units")
        }

    def add(self, held: Holdings) -> None:
        for kind, found in (("rooms", held.rooms), ("staff", held.staff), ("units", held.units)):
            for h in found:
                self._by[kind][h.resource_id].append(h)

    def around(self, proposal: Proposal) -> Holdings:
        """What other cases hold of the proposal's room, people and units."""
        wanted = {
            "rooms": (proposal.room_id,),
            "staff": proposal.staff_ids,
            "units": tuple(dict.fromkeys(proposal.unit_ids)),
        }
        return Holdings(
            **{
                kind: tuple(
                    h
                    for resource_id in ids
                    for h in self._by[kind].get(resource_id, ())
                    if h.surgery_id != proposal.surgery_id
                )
                for kind, ids in wanted.items()
            }
        )


async def gather(
    session: AsyncSession,
    proposals: Sequence[Proposal],
    hospital_tz: ZoneInfo,
    *,
    besides: Collection[uuid.UUID],
    now: datetime | None,
    staff: Mapping[uuid.UUID, StaffMemberUpserted] | None = None,
) -> Known:
    """The read model and holdings of `proposals`, ignoring the bookings of cases `besides`;
    `now` is the moment of judging (None: the past is allowed). `staff`: the proposals' people
    already read in this transaction (`booking_locks.person_days`), not read again."""
    room_ids = {p.room_id for p in proposals}
    staff_ids = {s for p in proposals for s in p.staff_ids}
    unit_ids = {u for p in proposals for u in p.unit_ids}
    window = Span(
        min(p.room_span.start for p in proposals) - _MARGIN,
        max(p.room_span.end for p in proposals) + _MARGIN,
    )
    held, units, rooms_found = await _held(
        session,
        {"rooms": room_ids, "staff": staff_ids, "units": unit_ids},
        window,
        besides,
    )
    return Known(
        rooms=rooms_found,
        staff=(
            dict(staff)
            if staff is not None
            else await resources_view.staff_by_id(session, staff_ids)
        ),
        units=units,
        held=held,
        hospital_tz=hospital_tz,
        now=now,
    )


# kind → the table holding it, its resource column, its span column.
_HOLDERS = {
    "rooms": (bookings, bookings.c.room_id, bookings.c.room_period),
    "staff": (staff_assignments, staff_assignments.c.staff_id, staff_assignments.c.period),
    "units": (equipment_usages, equipment_usages.c.unit_id, equipment_usages.c.period),
}


def _held_statement() -> Any:
    """The union of what other cases hold, built once: each kind's ids are an array (an empty
    one where a kind is not wanted), so every call hits one compiled and prepared statement.
    With it, the read model's equipment of the units wanted (`units_by_id`'s read) and its rooms
    wanted (`rooms_by_id`'s): two round trips fewer."""
    window = bindparam("window", type_=TSTZRANGE)
    besides = bindparam("besides", type_=_UUIDS)
    parts = [
        select(
            literal(kind).label("kind"),
            table.c.surgery_id,
            resource.label("resource_id"),
            func.lower(period).label("start"),
            func.upper(period).label("end"),
            cast(null(), JSONB).label("snapshot"),
            cast(null(), Integer).label("version"),
        ).where(
            resource == any_(bindparam(kind, type_=_UUIDS)),
            period.overlaps(window),
            table.c.surgery_id != all_(besides),
        )
        for kind, (table, resource, period) in _HOLDERS.items()
    ]
    nothing = cast(null(), TIMESTAMP(timezone=True))
    no_case = cast(null(), UUID(as_uuid=True))
    equipment_of_units = select(
        literal("equipment"),
        no_case,
        equipment.c.equipment_id,
        nothing,
        nothing,
        equipment.c.snapshot,
        equipment.c.version,
    ).where(
        equipment.c.equipment_id.in_(
            select(equipment_units.c.equipment_id).where(
                equipment_units.c.unit_id == any_(bindparam("units", type_=_UUIDS))
            )
        )
    )
    the_rooms = select(
        literal("room"),
        no_case,
        rooms.c.room_id,
        nothing,
        nothing,
        rooms.c.snapshot,
        rooms.c.version,
    ).where(rooms.c.room_id == any_(bindparam("rooms", type_=_UUIDS)))
    return union_all(*parts, equipment_of_units, the_rooms)


_UUIDS = ARRAY(UUID(as_uuid=True))
_HELD = _held_statement()


async def _held(
    session: AsyncSession,
    ids: Mapping[str, Collection[uuid.UUID]],
    window: Span,
    besides: Collection[uuid.UUID],
) -> tuple[Holdings, dict[uuid.UUID, Unit], dict[uuid.UUID, OperatingRoomUpserted]]:
    """What other cases hold of `ids` within `window`, read in ONE statement: one snapshot, so
    a booking committed meanwhile is seen whole (room, people, units) or not at all; and the
    units and rooms of `ids` as the read model has them (as `resources_view.units_by_id` and
    `rooms_by_id` answer), each snapshot validated once per version."""
    if not any(ids.values()):
        return Holdings(), {}, {}
    params: dict[str, Any] = {kind: list(ids.get(kind, ())) for kind in _HOLDERS}
    params |= {"window": date_ranges.period(window.start, window.end), "besides": list(besides)}
    found: dict[str, list[Held]] = {kind: [] for kind in _HOLDERS}
    units: dict[uuid.UUID, Unit] = {}
    rooms_found: dict[uuid.UUID, OperatingRoomUpserted] = {}
    wanted = set(params["units"])
    for row in await session.execute(_HELD, params):
        if row.kind == "equipment":
            item = resources_view.equipment_of(row.resource_id, row.version, row.snapshot)
            units |= {u.unit_id: Unit(item, u) for u in item.units if u.unit_id in wanted}
        elif row.kind == "room":
            rooms_found[row.resource_id] = resources_view.room_of(
                row.resource_id, row.version, row.snapshot
            )
        else:
            found[row.kind].append(Held(row.surgery_id, row.resource_id, Span(row.start, row.end)))
    return Holdings(**{kind: tuple(held) for kind, held in found.items()}), units, rooms_found


def _days(span: Span, timezone: str) -> tuple[date, date]:
    """The first and last local dates `span` touches in `timezone`."""
    return resources_view.local_dates(span.start, span.end, ZoneInfo(timezone))


def room_facts(room: OperatingRoomUpserted, first: date, last: date) -> RoomFacts:
    """The room as the rules see it over the local dates `first` to `last`."""
    # A day either side, so an interval open over local midnight is seen whole.
    opened = resources_view.room_open(room, first - timedelta(days=1), last + timedelta(days=1))
    return RoomFacts(
        room_id=room.room_id,
        code=room.code,
        status=room.status.value,
        retired=room.retired_at is not None or room.status.value == "retired",
        capabilities=frozenset(room.capabilities),
        open=tuple(opened),
    )


def person_facts(member: StaffMemberUpserted, first: date, last: date) -> PersonFacts:
    """The person as the rules see them over their local dates `first` to `last`."""
    available = resources_view.staff_available(
        member, first - timedelta(days=1), last + timedelta(days=1)
    )
    return PersonFacts(
        staff_id=member.staff_id,
        name=member.name,
        role=member.role.value,
        active=member.status == StaffStatus.ACTIVE,
        retired=member.retired_at is not None,
        timezone=ZoneInfo(member.timezone),
        max_minutes_per_day=member.max_minutes_per_day,
        available=tuple(available),
        max_minutes_by_weekday=member.max_minutes_by_weekday,
        max_minutes_by_date=member.max_minutes_by_date,
    )


def unit_facts(unit: Unit) -> UnitFacts:
    return UnitFacts(
        unit_id=unit.unit_id,
        label=unit.unit.label,
        equipment_type=unit.equipment_type,
        status=unit.unit.status.value,
        retired=unit.retired,
        fixed_room_id=unit.unit.fixed_room_id,
        turnaround_minutes=unit.turnaround_minutes,
        maintenance=tuple(Span(w.start, w.end) for w in unit.unit.maintenance_windows),
    )

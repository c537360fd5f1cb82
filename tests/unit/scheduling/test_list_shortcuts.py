"""What the lists no longer work out afresh each time answers as if they did: a booking read
again is the booking validated afresh, whichever of its columns changed in between, and a day
list hides the patients per-case `access.list_sight` hides, for any mix of roles and ties."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID
from contracts.vocabulary import StaffRole
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduling_service.cases import cases
from scheduling_service.domain import access
from scheduling_service.views import schedule
from scheduling_service.views.listed_cases import ListedCase, Person
from scheduling_service.views.schedule import DayList, DayListQuery, RoomDay
from servicekit.auth import Principal
from sqlalchemy.engine.result import result_tuple

from tests.unit.scheduling.booked_columns import validated_afresh

FEW = settings(max_examples=150, derandomize=True, deadline=None)
# A small pool of ids, so bookings share people and units, and readers and cases share ties.
PEOPLE = [uuid.UUID(int=n) for n in range(1, 7)]
UNITS = [uuid.UUID(int=n) for n in range(50, 54)]
USERS = [uuid.UUID(int=n) for n in range(100, 104)]
ROLES = ("admin", "coordinator", "surgeon", "anaesthetist", "nurse", "viewer", "auditor")
_IDS_READ = st.sampled_from([lambda u: u, lambda u: AsyncpgUUID(str(u))])  # as asyncpg may


@st.composite
def _booked(draw: st.DrawFn) -> tuple[Any, ...]:
    """A booking's columns as `bookings_of` reads them: people by role then id, units by id,
    an empty aggregate null."""
    read = draw(_IDS_READ)
    start = datetime(2027, 3, 3, 7, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 3)))
    staff = sorted(
        (draw(st.sampled_from([r.value for r in StaffRole])), read(person))
        for person in draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=3))
    )
    units = sorted(read(u) for u in draw(st.lists(st.sampled_from(UNITS), unique=True, max_size=2)))
    return (
        read(draw(st.sampled_from(PEOPLE[:2]))),  # a room
        start,
        start + timedelta(minutes=draw(st.integers(1, 3))),
        draw(st.integers(0, 2)),
        draw(st.integers(0, 2)),
        [s for _, s in staff] or None,
        [role for role, _ in staff] or None,
        units or None,
    )


@FEW
@given(st.lists(_booked(), min_size=1, max_size=12))
def test_a_booking_read_again_is_the_booking_validated_afresh(read: list[tuple[Any, ...]]) -> None:
    """Drawn from few rooms, instants, people and units: bookings that differ in one column
    only are many, each its own booking."""
    for booked in read + read[::-1]:
        kept = cases._read_booking(booked)
        assert kept == validated_afresh(booked)
        assert kept.model_dump_json() == validated_afresh(booked).model_dump_json()
        assert cases._read_booking(booked) is kept


def test_the_kept_bookings_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cases, "_READ_BOOKINGS", {})
    monkeypatch.setattr(cases, "_READ_BOOKINGS_KEPT", 3)
    start = datetime(2027, 3, 3, 7, tzinfo=UTC)
    for n in range(10):
        booked = (PEOPLE[0], start, start + timedelta(minutes=n + 1), 0, 0, None, None, None)
        assert cases._read_booking(booked) == validated_afresh(booked)
        assert len(cases._READ_BOOKINGS) <= 3


class _Session:
    """What `case_access.reader_of` asks of a session: the staff linked to the user."""

    def __init__(self, linked: frozenset[uuid.UUID]) -> None:
        self.linked = linked

    async def scalars(self, _: Any) -> list[uuid.UUID]:
        return list(self.linked)


_CASE = result_tuple(["surgery_id", "surgeon_id", "requested_by"])

_cases = st.lists(
    st.builds(
        lambda surgeon, requester, people: ListedCase(
            _CASE((uuid.uuid4(), surgeon, requester)),
            None,
            [Person(p, "scrub_nurse", None) for p in people],
            [],
        ),
        st.sampled_from(PEOPLE),
        st.sampled_from(USERS),
        st.lists(st.sampled_from(PEOPLE), unique=True, max_size=3),
    ),
    max_size=5,
)


@FEW
@given(
    st.frozensets(st.sampled_from(ROLES), max_size=3),
    st.sampled_from(USERS),
    st.frozensets(st.sampled_from(PEOPLE), max_size=2),
    _cases,
    st.booleans(),
)
async def test_a_day_list_hides_the_patients_each_case_hides(
    roles: frozenset[str],
    user_id: uuid.UUID,
    linked: frozenset[uuid.UUID],
    listed_cases: list[ListedCase],
    per_room: bool,
) -> None:
    day = datetime(2027, 3, 3).date()
    if per_room:
        room: Any = None
        listed = DayList(
            DayListQuery(day, day), "UTC", rooms={day: [RoomDay(room, [], listed_cases)]}
        )
    else:
        query = DayListQuery(day, day, view="staff", staff_id=PEOPLE[0])
        listed = DayList(query, "UTC", cases={day: listed_cases})
    principal = Principal(str(user_id), roles, "token", 2**40)
    who = access.Reader(user_id, roles, linked if access.needs_own_cases(roles) else frozenset())
    each = frozenset(
        case.row.surgery_id
        for case in listed_cases
        if access.list_sight(
            who,
            access.CaseTies(
                case.row.surgeon_id,
                case.row.requested_by,
                frozenset(p.staff_id for p in case.staff),
            ),
        )
        is not access.Sight.FULL
    )
    hidden = await schedule._patient_hidden(_Session(linked), principal, listed)  # type: ignore[arg-type]
    assert hidden == each

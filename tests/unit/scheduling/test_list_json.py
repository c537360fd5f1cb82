"""The lists' answers written straight from their rows (`page_json`, `room_schedule_json`,
`person_schedule_json`) are byte for byte what FastAPI wrote from the documented response
models (`Page[SurgeryPublic]`, `RoomSchedule`, `PersonSchedule`) built from the same rows:
for a fixed demo-like list and for Hypothesis-generated cases as the database holds them
(written through the request's rules), as SQLAlchemy's rows of asyncpg's values (its own `UUID`
type) with their columns in any order, beside others the writers ignore."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID
from contracts.calendar.spans import Span
from contracts.events.scheduling_surgeries import (
    AnaesthesiaType,
    Booking,
    StaffAssignment,
    SurgeryStatus,
)
from contracts.vocabulary import StaffRole, SurgeryPriority
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scheduling_service.api.schemas.schedule import (
    PersonSchedule,
    RoomSchedule,
    person_schedule_json,
    room_schedule_json,
)
from scheduling_service.api.schemas.surgeries import SurgeryCreate, SurgeryPublic, page_json
from scheduling_service.cases import cases
from scheduling_service.cases.surgeries import columns
from scheduling_service.views.listed_cases import ListedCase, Person, ReservedUnit
from scheduling_service.views.schedule import DayList, DayListQuery, RoomDay
from servicekit.pages import Page
from sqlalchemy import Row
from sqlalchemy.engine.result import result_tuple

from tests.unit.scheduling.booked_columns import validated_afresh

# FastAPI answers a declared model with its TypeAdapter's `dump_json`, by alias (`routing.py`).
_PAGE = TypeAdapter(Page[SurgeryPublic])
_ROOMS = TypeAdapter(RoomSchedule)
_PERSON = TypeAdapter(PersonSchedule)


def _row(values: dict[str, Any]) -> Row[Any]:
    """A SQLAlchemy `Row` of `values`."""
    return result_tuple(list(values))(list(values.values()))


def _rows(values: list[dict[str, Any]], order: random.Random) -> list[Row[Any]]:
    """`values` (of the same columns) as rows of one statement that reads a column more, the
    columns in an order of its own (the same for every row: a statement's)."""
    columns = [*values[0], "matching_count"] if values else []
    order.shuffle(columns)
    make = result_tuple(columns)
    return [make([{**v, "matching_count": 7}[c] for c in columns]) for v in values]


def _old_page(cases: list[tuple[Row[Any], Booking | None, bool]], total: int, offset: int) -> bytes:
    items = [SurgeryPublic.of(row, booking, patient_shown=shown) for row, booking, shown in cases]
    page = Page(items=items, total=total, offset=offset, limit=50)
    return _PAGE.dump_json(_PAGE.validate_python(page), by_alias=True)


def _old_rooms(listed: DayList) -> bytes:
    return _ROOMS.dump_json(RoomSchedule.of(listed), by_alias=True)


def _old_person(listed: DayList) -> bytes:
    return _PERSON.dump_json(PersonSchedule.of(listed), by_alias=True)


# --- what the database holds --------------------------------------------------------------------

_UTC_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2150, 1, 1), timezones=st.just(UTC)
)
# PostgreSQL's instants are UTC; the writers answer any other offset as the models do.
_MOMENTS = _UTC_MOMENTS | st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2150, 1, 1),
    timezones=st.sampled_from(
        [timezone(timedelta(hours=-3, minutes=-30)), ZoneInfo("Europe/Amsterdam")]
    ),
)
# asyncpg reads a `uuid` column as its own `UUID` (a subclass of `uuid.UUID`).
_IDS = st.uuids() | st.uuids().map(lambda u: AsyncpgUUID(str(u)))
_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=24
)
_TERMS = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
_ROLES_BESIDES = [r.value for r in StaffRole if r is not StaffRole.SURGEON]


@st.composite
def _request_columns(draw: st.DrawFn) -> dict[str, Any]:
    """A request as `POST /surgeries` writes it: validated, then `columns()`."""
    fields = {
        "patient_mrn": draw(st.from_regex(r"[A-Za-z0-9-]{1,32}", fullmatch=True)),
        "procedure": {
            "code": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,31}", fullmatch=True)),
            "name": draw(_TEXT),
            "coding_system": draw(st.none() | _TERMS),
        },
        "surgeon_id": draw(st.uuids()),
        "specialty": draw(_TERMS),
        "expected_duration_minutes": draw(st.integers(1, 24 * 60)),
        "setup_minutes": draw(st.integers(0, 24 * 60)),
        "cleanup_minutes": draw(st.integers(0, 24 * 60)),
        "priority": draw(st.sampled_from([p.value for p in SurgeryPriority])),
        "earliest_date": draw(st.none() | st.dates(date(2020, 1, 1), date(2040, 1, 1))),
        "due_date": draw(st.none() | st.dates(date(2020, 1, 1), date(2040, 1, 1))),
        "required_capabilities": draw(st.lists(_TERMS, unique=True, max_size=4)),
        "equipment_types": draw(st.lists(_TERMS, unique=True, max_size=4)),
        "anaesthesia_type": draw(st.sampled_from([a.value for a in AnaesthesiaType])),
        "staff_roles_needed": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"role": st.sampled_from(_ROLES_BESIDES), "count": st.integers(1, 4)}
                ),
                unique_by=lambda r: r["role"],
                max_size=4,
            )
        ),
        "notes": draw(st.none() | _TEXT),
    }
    try:
        body = SurgeryCreate.model_validate(fields)
    except ValidationError:
        assume(False)
        raise
    return columns(body.command())


def _asyncpg_ids(values: dict[str, Any], draw: st.DrawFn, *names: str) -> dict[str, Any]:
    """`values` with the ids `names` as asyncpg reads them, or not."""
    read = {n: AsyncpgUUID(str(values[n])) for n in names if draw(st.booleans())}
    return values | read


@st.composite
def _booked_columns(draw: st.DrawFn, row: dict[str, Any]) -> tuple[Any, ...]:
    """A booking of the case as `cases.bookings_of` reads its columns: people by role then id
    (none, or several with the surgeon among them), units by id."""
    start = draw(_MOMENTS)
    people = draw(st.lists(_IDS, unique=True, max_size=3))
    staff = sorted(
        [(draw(st.sampled_from(_ROLES_BESIDES)), s) for s in people]
        + ([("surgeon", row["surgeon_id"])] if draw(st.booleans()) else []),
        key=lambda a: (a[0], a[1]),
    )
    return (
        draw(_IDS),
        start,
        start + timedelta(minutes=row["expected_duration_minutes"]),
        row["setup_minutes"],
        row["cleanup_minutes"],
        [s for _, s in staff] or None,  # `array_agg` of no row is null
        [role for role, _ in staff] or None,
        sorted(draw(st.lists(_IDS, unique=True, max_size=3))) or None,
    )


# A case of a waiting-list page: its row, its booking as the models had it (validated afresh)
# and as the page has it (`cases._read_booking`, kept), and whether its patient is shown.
_Case = tuple[dict[str, Any], Booking | None, Booking | None, bool]


@st.composite
def _surgery_rows(draw: st.DrawFn) -> _Case:
    """A `surgery_requests` row (every column, as `select(surgery_requests)` reads it), its
    booking when its status holds one, and whether the reader sees its patient."""
    status = draw(st.sampled_from([s.value for s in SurgeryStatus]))
    wheels_in = draw(st.none() | _MOMENTS)
    wheels_out = (
        None if wheels_in is None else wheels_in + timedelta(minutes=draw(st.integers(1, 10_000)))
    )
    values = {
        "surgery_id": draw(_IDS),
        **draw(_request_columns()),
        "status": status,
        "reason_code": draw(st.none() | _TERMS),
        "reason": draw(st.none() | _TEXT),
        "wheels_in": wheels_in,
        "wheels_out": wheels_out,
        "requested_by": draw(_IDS),
        "version": draw(st.integers(1, 10_000)),
        "created_at": draw(_MOMENTS),
        "updated_at": draw(_MOMENTS),
    }
    values = _asyncpg_ids(values, draw, "surgeon_id")
    old = new = None
    if status in ("scheduled", "confirmed", "in_room", "completed") and draw(st.booleans()):
        booked = draw(_booked_columns(values))
        old, new = validated_afresh(booked), cases._read_booking(booked)
    return values, old, new, draw(st.booleans())


@st.composite
def _listed_cases(draw: st.DrawFn, room: Any) -> tuple[dict[str, Any], ListedCase]:
    """A day list's row: a booking joined with its request, surgeon's name, people, units."""
    request = _asyncpg_ids(draw(_request_columns()), draw, "surgeon_id")
    start = draw(_MOMENTS)
    wheels_in = draw(st.none() | _MOMENTS)
    values = {
        "surgery_id": draw(_IDS),
        "room_id": room.room_id if room is not None else draw(st.uuids()),
        "starts_at": start,
        "ends_at": start + timedelta(minutes=request["expected_duration_minutes"]),
        "setup_minutes": request["setup_minutes"],
        "cleanup_minutes": request["cleanup_minutes"],
        "status": draw(st.sampled_from(["scheduled", "confirmed", "in_room", "completed"])),
        "patient_mrn": request["patient_mrn"],
        "procedure_code": request["procedure_code"],
        "procedure_name": request["procedure_name"],
        "procedure_coding_system": request["procedure_coding_system"],
        "surgeon_id": request["surgeon_id"],
        "surgeon_name": draw(st.none() | _TEXT),
        "requested_by": draw(_IDS),
        "specialty": request["specialty"],
        "anaesthesia_type": request["anaesthesia_type"],
        "priority": request["priority"],
        "expected_duration_minutes": request["expected_duration_minutes"],
        "wheels_in": wheels_in,
        "wheels_out": None if wheels_in is None else wheels_in + timedelta(minutes=5),
        "version": draw(st.integers(1, 10_000)),
    }
    values = _asyncpg_ids(values, draw, "room_id")
    people = [
        Person(draw(_IDS), draw(st.sampled_from([r.value for r in StaffRole])), name)
        for name in draw(st.lists(st.none() | _TEXT, max_size=4))
    ]
    units = [
        ReservedUnit(draw(_IDS), draw(_TERMS), label)
        for label in draw(st.lists(st.none() | _TEXT, max_size=3))
    ]
    return values, ListedCase(cast(Any, None), room, people, units)


def _room(code: str, name: str) -> Any:
    # What the writers read of an `OperatingRoomUpserted`.
    return SimpleNamespace(room_id=uuid.uuid4(), code=code, name=name)


def _as_read(
    drawn: list[list[tuple[dict[str, Any], ListedCase]]], order: random.Random
) -> list[list[ListedCase]]:
    """The cases `drawn` (per room-day or date) with their rows, all of one statement."""
    rows = iter(_rows([values for cases in drawn for values, _ in cases], order))
    return [[replace(case, row=next(rows)) for _, case in cases] for cases in drawn]


@st.composite
def _room_lists(draw: st.DrawFn) -> DayList:
    first = draw(st.dates(date(2024, 1, 1), date(2030, 1, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    rooms = [_room(draw(_TEXT), draw(_TEXT)) for _ in range(draw(st.integers(1, 2)))]
    room_days: list[tuple[date, Any, list[Span]]] = []
    drawn: list[list[tuple[dict[str, Any], ListedCase]]] = []
    day = first
    while day <= last:
        for room in rooms:
            opening = draw(_MOMENTS)
            spans = [Span(opening, opening + timedelta(hours=draw(st.integers(1, 12))))]
            shown = draw(st.sampled_from([room, None]))  # None: a room since forgotten
            drawn.append(draw(st.lists(_listed_cases(shown), max_size=3)))
            room_days.append((day, room, draw(st.sampled_from([[], spans]))))
        day += timedelta(days=1)
    listed = DayList(DayListQuery(first, last), "Europe/Amsterdam")
    hidden: set[uuid.UUID] = set()
    for (day, room, spans), held in zip(
        room_days, _as_read(drawn, draw(st.randoms())), strict=True
    ):
        listed.rooms.setdefault(day, []).append(RoomDay(room, spans, held))
        hidden |= {c.row.surgery_id for c in held if draw(st.booleans())}
    return replace(listed, patient_hidden=frozenset(hidden))


@st.composite
def _person_lists(draw: st.DrawFn) -> DayList:
    first = draw(st.dates(date(2024, 1, 1), date(2030, 1, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    person = SimpleNamespace(
        staff_id=uuid.uuid4(), name=draw(_TEXT), role=draw(st.sampled_from(list(StaffRole)))
    )
    days: list[date] = []
    drawn: list[list[tuple[dict[str, Any], ListedCase]]] = []
    day = first
    while day <= last:
        days.append(day)
        room = draw(st.none() | st.just(_room("OR 1", "One")))
        drawn.append(draw(st.lists(_listed_cases(room), max_size=3)))
        day += timedelta(days=1)
    cases = dict(zip(days, _as_read(drawn, draw(st.randoms())), strict=True))
    hidden = {c.row.surgery_id for day in cases.values() for c in day if draw(st.booleans())}
    query = DayListQuery(first, last, view="staff", staff_id=person.staff_id)
    return DayList(
        query,
        "Europe/Amsterdam",
        cases=cases,
        person=cast(Any, person),
        patient_hidden=frozenset(hidden),
    )


_EXAMPLES = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))


@_EXAMPLES
@given(
    st.lists(_surgery_rows(), max_size=6),
    st.integers(0, 10_000),
    st.integers(0, 1_000),
    st.randoms(),
)
def test_a_waiting_list_page_is_the_models_json(
    listed: list[_Case], total: int, offset: int, order: random.Random
) -> None:
    """The page of the bookings `bookings_of` keeps, as the models wrote it from each booking
    validated afresh."""
    rows = _rows([values for values, _, _, _ in listed], order)
    page = [(row, new, shown) for row, (_, _, new, shown) in zip(rows, listed, strict=True)]
    old = [(row, old, shown) for row, (_, old, _, shown) in zip(rows, listed, strict=True)]
    assert page_json(page, total=total, offset=offset, limit=50) == _old_page(old, total, offset)


@_EXAMPLES
@given(_room_lists())
def test_a_room_day_list_is_the_models_json(listed: DayList) -> None:
    assert room_schedule_json(listed) == _old_rooms(listed)


@_EXAMPLES
@given(_person_lists())
def test_a_person_list_is_the_models_json(listed: DayList) -> None:
    assert person_schedule_json(listed) == _old_person(listed)


def test_the_routes_answer_the_same_bytes_as_fastapi_wrote_from_the_models() -> None:
    """Through FastAPI itself: a route answering the model as the lists did, and one answering
    the written bytes, for a demo-like day (a booked case, a waiting one, a hidden patient)."""
    room = _room("OR-01", "Theatre 1")
    start = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    request = columns(
        SurgeryCreate.model_validate(
            {
                "patient_mrn": "MRN-0001",
                "procedure": {"code": "W37.1", "name": "Total hip replacement"},
                "surgeon_id": uuid.uuid4(),
                "specialty": "orthopaedics",
                "expected_duration_minutes": 120,
                "setup_minutes": 15,
                "cleanup_minutes": 20,
                "priority": "elective",
                "anaesthesia_type": "general",
                "staff_roles_needed": [{"role": "scrub_nurse"}, {"role": "anaesthetist"}],
                "required_capabilities": ["orthopaedics"],
                "notes": 'Ünïcödé "quoted" \n note',
            }
        ).command()
    )
    values = {
        "surgery_id": uuid.uuid4(),
        **request,
        "status": "scheduled",
        "reason_code": None,
        "reason": None,
        "wheels_in": None,
        "wheels_out": None,
        "requested_by": uuid.uuid4(),
        "version": 3,
        "created_at": start - timedelta(days=9, microseconds=1),
        "updated_at": start - timedelta(days=1),
    }
    row = _row(values)
    booking = Booking(
        room_id=room.room_id,
        start=start,
        end=start + timedelta(minutes=120),
        setup_minutes=15,
        cleanup_minutes=20,
        staff=(StaffAssignment(staff_id=row.surgeon_id, role=StaffRole.SURGEON),),
        equipment_unit_ids=(uuid.uuid4(),),
    )
    waiting = _row(values | {"surgery_id": uuid.uuid4(), "status": "requested"})
    page = [(row, booking, True), (waiting, None, False)]
    listed_row = _row(
        {k: v for k, v in values.items() if k not in ("notes",)}
        | {
            "room_id": room.room_id,
            "starts_at": start,
            "ends_at": start + timedelta(minutes=120),
            "surgeon_name": "Dr. Ada",
        }
    )
    case = ListedCase(
        listed_row,
        room,
        [Person(row.surgeon_id, "surgeon", "Dr. Ada")],
        [ReservedUnit(uuid.uuid4(), "c_arm", None)],
    )
    day = start.date()
    rooms = DayList(
        DayListQuery(day, day),
        "Europe/Amsterdam",
        rooms={day: [RoomDay(room, [Span(start, start + timedelta(hours=9))], [case])]},
        patient_hidden=frozenset({row.surgery_id}),
    )

    app = FastAPI()

    @app.get("/old/page")
    async def old_page() -> Page[SurgeryPublic]:
        items = [SurgeryPublic.of(r, b, patient_shown=s) for r, b, s in page]
        return Page(items=items, total=2, offset=0, limit=50)

    @app.get("/new/page", response_model=Page[SurgeryPublic])
    async def new_page() -> Response:
        body = page_json(cast(Any, page), total=2, offset=0, limit=50)
        return Response(body, media_type="application/json")

    @app.get("/old/rooms", response_model_by_alias=True)
    async def old_rooms() -> RoomSchedule:
        return RoomSchedule.of(rooms)

    @app.get("/new/rooms", response_model=RoomSchedule)
    async def new_rooms() -> Response:
        return Response(room_schedule_json(rooms), media_type="application/json")

    client = TestClient(app)
    for path in ("page", "rooms"):
        old, new = client.get(f"/old/{path}"), client.get(f"/new/{path}")
        assert old.status_code == new.status_code == 200
        assert new.content == old.content
        assert new.headers["content-type"] == old.headers["content-type"]
        assert new.headers["content-length"] == old.headers["content-length"]
    assert client.get("/new/page").json()["items"][1]["patient_mrn"] is None

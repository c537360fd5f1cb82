"""The lists' answers written straight from their rows (`page_json`, `room_schedule_json`,
`person_schedule_json`) are byte for byte what FastAPI wrote from the documented response
models (`Page[SurgeryPublic]`, `RoomSchedule`, `PersonSchedule`) built from the same rows:
for a fixed demo-like list and for Hypothesis-generated cases as the database holds them
(written through the request's rules)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

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
from scheduling_service.cases.surgeries import columns
from scheduling_service.views.listed_cases import ListedCase, Person, ReservedUnit
from scheduling_service.views.schedule import DayList, DayListQuery, RoomDay
from servicekit.pages import Page

# FastAPI answers a declared model with its TypeAdapter's `dump_json`, by alias (`routing.py`).
_PAGE = TypeAdapter(Page[SurgeryPublic])
_ROOMS = TypeAdapter(RoomSchedule)
_PERSON = TypeAdapter(PersonSchedule)


class _Row(SimpleNamespace):
    """What SQLAlchemy's `Row` offers the writers: attributes and `_mapping`."""

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(vars(self))


def _old_page(cases: list[tuple[Any, Booking | None, bool]], total: int, offset: int) -> bytes:
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


@st.composite
def _surgery_rows(draw: st.DrawFn) -> tuple[_Row, Booking | None, bool]:
    """A `surgery_requests` row (every column, as `select(surgery_requests)` reads it), its
    booking when its status holds one, and whether the reader sees its patient."""
    status = draw(st.sampled_from([s.value for s in SurgeryStatus]))
    wheels_in = draw(st.none() | _UTC_MOMENTS)
    wheels_out = (
        None if wheels_in is None else wheels_in + timedelta(minutes=draw(st.integers(1, 10_000)))
    )
    row = _Row(
        surgery_id=draw(st.uuids()),
        **draw(_request_columns()),
        status=status,
        reason_code=draw(st.none() | _TERMS),
        reason=draw(st.none() | _TEXT),
        wheels_in=wheels_in,
        wheels_out=wheels_out,
        requested_by=draw(st.uuids()),
        version=draw(st.integers(1, 10_000)),
        created_at=draw(_UTC_MOMENTS),
        updated_at=draw(_UTC_MOMENTS),
    )
    booking = None
    if status in ("scheduled", "confirmed", "in_room", "completed") and draw(st.booleans()):
        start = draw(_UTC_MOMENTS)
        booking = Booking.model_validate(
            {
                "room_id": draw(st.uuids()),
                "start": start,
                "end": start + timedelta(minutes=row.expected_duration_minutes),
                "setup_minutes": row.setup_minutes,
                "cleanup_minutes": row.cleanup_minutes,
                "staff": [
                    {"staff_id": row.surgeon_id, "role": "surgeon"},
                    *(
                        {"staff_id": s, "role": draw(st.sampled_from(_ROLES_BESIDES))}
                        for s in draw(st.lists(st.uuids(), unique=True, max_size=3))
                    ),
                ],
                "equipment_unit_ids": draw(st.lists(st.uuids(), unique=True, max_size=3)),
            }
        )
    return row, booking, draw(st.booleans())


@st.composite
def _listed_cases(draw: st.DrawFn, room: Any) -> ListedCase:
    """A day list's row: a booking joined with its request, surgeon's name, people, units."""
    request = draw(_request_columns())
    start = draw(_UTC_MOMENTS)
    wheels_in = draw(st.none() | _UTC_MOMENTS)
    row = _Row(
        surgery_id=draw(st.uuids()),
        room_id=room.room_id if room is not None else draw(st.uuids()),
        starts_at=start,
        ends_at=start + timedelta(minutes=request["expected_duration_minutes"]),
        setup_minutes=request["setup_minutes"],
        cleanup_minutes=request["cleanup_minutes"],
        status=draw(st.sampled_from(["scheduled", "confirmed", "in_room", "completed"])),
        patient_mrn=request["patient_mrn"],
        procedure_code=request["procedure_code"],
        procedure_name=request["procedure_name"],
        procedure_coding_system=request["procedure_coding_system"],
        surgeon_id=request["surgeon_id"],
        surgeon_name=draw(st.none() | _TEXT),
        requested_by=draw(st.uuids()),
        specialty=request["specialty"],
        anaesthesia_type=request["anaesthesia_type"],
        priority=request["priority"],
        expected_duration_minutes=request["expected_duration_minutes"],
        wheels_in=wheels_in,
        wheels_out=None if wheels_in is None else wheels_in + timedelta(minutes=5),
        version=draw(st.integers(1, 10_000)),
    )
    people = [
        Person(draw(st.uuids()), draw(st.sampled_from([r.value for r in StaffRole])), name)
        for name in draw(st.lists(st.none() | _TEXT, max_size=4))
    ]
    units = [
        ReservedUnit(draw(st.uuids()), draw(_TERMS), label)
        for label in draw(st.lists(st.none() | _TEXT, max_size=3))
    ]
    return ListedCase(cast(Any, row), room, people, units)


def _room(code: str, name: str) -> Any:
    # What the writers read of an `OperatingRoomUpserted`.
    return SimpleNamespace(room_id=uuid.uuid4(), code=code, name=name)


@st.composite
def _room_lists(draw: st.DrawFn) -> DayList:
    first = draw(st.dates(date(2024, 1, 1), date(2030, 1, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    listed = DayList(DayListQuery(first, last), "Europe/Amsterdam")
    rooms = [_room(draw(_TEXT), draw(_TEXT)) for _ in range(draw(st.integers(1, 2)))]
    hidden: set[uuid.UUID] = set()
    day = first
    while day <= last:
        listed.rooms[day] = []
        for room in rooms:
            opening = draw(_UTC_MOMENTS)
            spans = [Span(opening, opening + timedelta(hours=draw(st.integers(1, 12))))]
            shown = draw(st.sampled_from([room, None]))  # None: a room since forgotten
            cases = draw(st.lists(_listed_cases(shown), max_size=3))
            hidden |= {c.row.surgery_id for c in cases if draw(st.booleans())}
            listed.rooms[day].append(RoomDay(room, draw(st.sampled_from([[], spans])), cases))
        day += timedelta(days=1)
    return DayList(
        listed.query, listed.timezone, rooms=listed.rooms, patient_hidden=frozenset(hidden)
    )


@st.composite
def _person_lists(draw: st.DrawFn) -> DayList:
    first = draw(st.dates(date(2024, 1, 1), date(2030, 1, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    person = SimpleNamespace(
        staff_id=uuid.uuid4(), name=draw(_TEXT), role=draw(st.sampled_from(list(StaffRole)))
    )
    cases: dict[date, list[ListedCase]] = {}
    hidden: set[uuid.UUID] = set()
    day = first
    while day <= last:
        cases[day] = draw(
            st.lists(_listed_cases(draw(st.none() | st.just(_room("OR 1", "One")))), max_size=3)
        )
        hidden |= {c.row.surgery_id for c in cases[day] if draw(st.booleans())}
        day += timedelta(days=1)
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
@given(st.lists(_surgery_rows(), max_size=6), st.integers(0, 10_000), st.integers(0, 1_000))
def test_a_waiting_list_page_is_the_models_json(
    cases: list[tuple[_Row, Booking | None, bool]], total: int, offset: int
) -> None:
    new = page_json(cast(Any, cases), total=total, offset=offset, limit=50)
    assert new == _old_page(cases, total, offset)


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
    row = _Row(
        surgery_id=uuid.uuid4(),
        **request,
        status="scheduled",
        reason_code=None,
        reason=None,
        wheels_in=None,
        wheels_out=None,
        requested_by=uuid.uuid4(),
        version=3,
        created_at=start - timedelta(days=9, microseconds=1),
        updated_at=start - timedelta(days=1),
    )
    booking = Booking(
        room_id=room.room_id,
        start=start,
        end=start + timedelta(minutes=120),
        setup_minutes=15,
        cleanup_minutes=20,
        staff=(StaffAssignment(staff_id=row.surgeon_id, role=StaffRole.SURGEON),),
        equipment_unit_ids=(uuid.uuid4(),),
    )
    waiting = _Row(**(vars(row) | {"surgery_id": uuid.uuid4(), "status": "requested"}))
    page = [(row, booking, True), (waiting, None, False)]
    listed_row = _Row(
        **{k: v for k, v in vars(row).items() if k not in ("notes",)},
        room_id=room.room_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=120),
        surgeon_name="Dr. Ada",
    )
    case = ListedCase(
        cast(Any, listed_row),
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

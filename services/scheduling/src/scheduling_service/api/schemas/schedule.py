"""Day lists as a coordinator prints them: per local date, per room or for one person."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any

from contracts.calendar.spans import Span
from contracts.events.scheduling_surgeries import AnaesthesiaType, Procedure, SurgeryStatus
from contracts.values import UtcDatetime, UtcWindow
from contracts.vocabulary import StaffRole, SurgeryPriority
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

from scheduling_service.views.listed_cases import ListedCase
from scheduling_service.views.schedule import FULL_LIST_MAX_DAYS, DayList, RoomDay


class RoomRef(BaseModel):
    room_id: uuid.UUID
    code: str | None = Field(description="None when this service has never heard of the room.")
    name: str | None


class SurgeonRef(BaseModel):
    staff_id: uuid.UUID
    name: str | None = Field(description="None when this service has never heard of them.")


class AssignedPerson(BaseModel):
    staff_id: uuid.UUID
    name: str | None
    role: StaffRole = Field(description="The role they fill in this case.")


class ReservedUnit(BaseModel):
    unit_id: uuid.UUID
    label: str | None
    equipment_type: str


class ListedCasePublic(BaseModel):
    """A booked case as the list shows it; times in UTC."""

    surgery_id: uuid.UUID
    status: SurgeryStatus
    start: UtcDatetime = Field(description="Booked wheels-in.")
    end: UtcDatetime = Field(description="Booked wheels-out: start + expected duration.")
    room_held_from: UtcDatetime = Field(description="The start, less the setup minutes.")
    room_held_until: UtcDatetime = Field(description="The end, plus the cleanup minutes.")
    room: RoomRef
    patient_mrn: str | None = Field(
        description="Null when your roles do not show this case's patient (a viewer, or a "
        "clinician not on the case): the room's day is shown, the patient is not."
    )
    procedure: Procedure
    specialty: str
    surgeon: SurgeonRef
    anaesthesia_type: AnaesthesiaType
    priority: SurgeryPriority
    expected_duration_minutes: int
    setup_minutes: int
    cleanup_minutes: int
    staff: list[AssignedPerson] = Field(description="The surgeon first, then by role and name.")
    equipment_units: list[ReservedUnit]
    wheels_in: UtcDatetime | None = Field(description="Recorded when the patient entered.")
    wheels_out: UtcDatetime | None = Field(description="Recorded when the patient left.")
    version: int = Field(description="The case's version, its ETag.")

    @classmethod
    def of(cls, case: ListedCase, *, patient_shown: bool) -> ListedCasePublic:
        row, room = case.row, case.room
        return cls(
            surgery_id=row.surgery_id,
            status=row.status,
            start=row.starts_at,
            end=row.ends_at,
            room_held_from=case.room_held_from,
            room_held_until=case.room_held_until,
            room=RoomRef(
                room_id=row.room_id,
                code=room.code if room else None,
                name=room.name if room else None,
            ),
            patient_mrn=row.patient_mrn if patient_shown else None,
            procedure=Procedure(
                code=row.procedure_code,
                name=row.procedure_name,
                coding_system=row.procedure_coding_system,
            ),
            specialty=row.specialty,
            surgeon=SurgeonRef(staff_id=row.surgeon_id, name=row.surgeon_name),
            anaesthesia_type=row.anaesthesia_type,
            priority=row.priority,
            expected_duration_minutes=row.expected_duration_minutes,
            setup_minutes=row.setup_minutes,
            cleanup_minutes=row.cleanup_minutes,
            staff=[
                AssignedPerson(staff_id=p.staff_id, name=p.name, role=p.role) for p in case.staff
            ],
            equipment_units=[
                ReservedUnit(unit_id=u.unit_id, label=u.label, equipment_type=u.equipment_type)
                for u in case.units
            ],
            wheels_in=row.wheels_in,
            wheels_out=row.wheels_out,
            version=row.version,
        )


class RoomDayPublic(BaseModel):
    room_id: uuid.UUID
    code: str
    name: str
    open_intervals: list[UtcWindow] = Field(description="The room's open time that date.")
    cases: list[ListedCasePublic] = Field(description="In start order.")

    @classmethod
    def of(cls, day: RoomDay, listed: DayList) -> RoomDayPublic:
        return cls(
            room_id=day.room.room_id,
            code=day.room.code,
            name=day.room.name,
            open_intervals=[_window(span) for span in day.open],
            cases=[
                ListedCasePublic.of(c, patient_shown=listed.shows_patient(c)) for c in day.cases
            ],
        )


class RoomsOnDate(BaseModel):
    date: dt.date
    rooms: list[RoomDayPublic] = Field(
        description="In code order: every room open that date or holding a case then; asked "
        f"for one room, that room whether open or not. Over more than {FULL_LIST_MAX_DAYS} days "
        "without `room_id`, only the rooms holding a case that date (see `empty_rooms_listed`)."
    )


class CasesOnDate(BaseModel):
    date: dt.date
    cases: list[ListedCasePublic] = Field(description="In start order.")


class _Range(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", description="The first local date, included.")
    to: dt.date = Field(description="The last local date, included.")
    timezone: str = Field(description="The hospital's time zone the dates are local to.")


class RoomSchedule(_Range):
    """Per local date, per room, the cases booked to start that date (cancelled and postponed
    ones have no booking and are not listed)."""

    empty_rooms_listed: bool = Field(
        description="Whether open rooms without cases are listed: for one room or a range of "
        f"at most {FULL_LIST_MAX_DAYS} days; a longer range of every room lists only the rooms "
        "holding cases."
    )
    days: list[RoomsOnDate]

    @classmethod
    def of(cls, listed: DayList) -> RoomSchedule:
        return cls(
            from_=listed.query.first,
            to=listed.query.last,
            timezone=listed.timezone,
            empty_rooms_listed=listed.query.lists_empty_rooms,
            days=[
                RoomsOnDate(date=day, rooms=[RoomDayPublic.of(r, listed) for r in rooms])
                for day, rooms in listed.rooms.items()
            ],
        )


class PersonRef(BaseModel):
    staff_id: uuid.UUID
    name: str
    role: StaffRole


class PersonSchedule(_Range):
    """Per local date, the person's cases: as the operating surgeon (`/surgeons/…`) or in any
    role (`/staff/…`)."""

    person: PersonRef
    days: list[CasesOnDate]

    @classmethod
    def of(cls, listed: DayList) -> PersonSchedule:
        person = listed.person
        assert person is not None
        return cls(
            from_=listed.query.first,
            to=listed.query.last,
            timezone=listed.timezone,
            person=PersonRef(staff_id=person.staff_id, name=person.name, role=person.role),
            days=[
                CasesOnDate(
                    date=day,
                    cases=[
                        ListedCasePublic.of(c, patient_shown=listed.shows_patient(c)) for c in cases
                    ],
                )
                for day, cases in listed.cases.items()
            ],
        )


def _window(span: Span) -> UtcWindow:
    return UtcWindow(start=span.start, end=span.end)


class ScheduleRevision(BaseModel):
    """The schedule's revision (also the `ETag`); compare it, do not parse it."""

    revision: str = Field(description="Opaque; changes whenever the board or waiting list does.")


# --- The same answers written straight from the list: `RoomSchedule.of(listed)` and
# `PersonSchedule.of(listed)` validate a model per case, person, unit, room and open span only
# to serialize them again; what they hold was validated on its way into the database and the
# read model. These write the same bytes (`test_list_json.py` compares them) at a fraction of
# the CPU. A field added to a model must be added here too (the comparison fails until it is).


def room_schedule_json(listed: DayList) -> bytes:
    """`RoomSchedule.of(listed)` as JSON (by alias, as the route answers it)."""
    hidden = listed.patient_hidden
    cases = [c for rooms in listed.rooms.values() for r in rooms for c in r.cases]
    case = _writer(cases, hidden)
    return to_json(
        {
            **_range(listed),
            "empty_rooms_listed": listed.query.lists_empty_rooms,
            "days": [
                {"date": day, "rooms": [_room_day(r, case) for r in rooms]}
                for day, rooms in listed.rooms.items()
            ],
        }
    )


def person_schedule_json(listed: DayList) -> bytes:
    """`PersonSchedule.of(listed)` as JSON (by alias, as the route answers it)."""
    person = listed.person
    assert person is not None
    case = _writer([c for cases in listed.cases.values() for c in cases], listed.patient_hidden)
    return to_json(
        {
            **_range(listed),
            "person": {"staff_id": person.staff_id, "name": person.name, "role": person.role},
            "days": [
                {"date": day, "cases": [case(c) for c in cases]}
                for day, cases in listed.cases.items()
            ],
        }
    )


def _range(listed: DayList) -> dict[str, Any]:
    return {"from": listed.query.first, "to": listed.query.last, "timezone": listed.timezone}


def _room_day(day: RoomDay, case: Callable[[ListedCase], dict[str, Any]]) -> dict[str, Any]:
    room = day.room
    return {
        "room_id": room.room_id,
        "code": room.code,
        "name": room.name,
        "open_intervals": [{"start": _utc(s.start), "end": _utc(s.end)} for s in day.open],
        "cases": [case(c) for c in day.cases],
    }


# What a listed case shows of its row (`listed_cases._listed()`'s), in the order `_writer`'s
# `case` unpacks it.
_CASE_COLUMNS = (
    "surgery_id",
    "status",
    "starts_at",
    "ends_at",
    "setup_minutes",
    "cleanup_minutes",
    "room_id",
    "patient_mrn",
    "procedure_code",
    "procedure_name",
    "procedure_coding_system",
    "specialty",
    "surgeon_id",
    "surgeon_name",
    "anaesthesia_type",
    "priority",
    "expected_duration_minutes",
    "wheels_in",
    "wheels_out",
    "version",
)


@lru_cache(maxsize=16)
def _columns_of(fields: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """Takes `_CASE_COLUMNS` out of a row with `fields`, by position: a row's attributes are
    looked up by name, each about as dear as the value's JSON."""
    return itemgetter(*(fields.index(name) for name in _CASE_COLUMNS))


def _writer(
    cases: list[ListedCase], hidden: frozenset[uuid.UUID]
) -> Callable[[ListedCase], dict[str, Any]]:
    """`ListedCasePublic`'s fields of a case of `cases` (rows of one statement, a list's), in
    its order. Ids read by asyncpg as text: they are asyncpg's own `UUID` type, which pydantic's
    JSON writer takes the slow way (ten times a `str()`); the read model's are `uuid.UUID`s."""
    take = _columns_of(cases[0].row._fields) if cases else None

    def case(listed: ListedCase) -> dict[str, Any]:
        assert take is not None  # only a case of `cases` is written
        (
            surgery_id,
            status,
            starts_at,
            ends_at,
            setup,
            cleanup,
            room_id,
            mrn,
            code,
            name,
            coding_system,
            specialty,
            surgeon_id,
            surgeon_name,
            anaesthesia,
            priority,
            duration,
            wheels_in,
            wheels_out,
            version,
        ) = take(listed.row)
        room = listed.room
        return {
            "surgery_id": str(surgery_id),
            "status": status,
            "start": _utc(starts_at),
            "end": _utc(ends_at),
            "room_held_from": _utc(starts_at - timedelta(minutes=setup)),
            "room_held_until": _utc(ends_at + timedelta(minutes=cleanup)),
            "room": {
                "room_id": str(room_id),
                "code": room.code if room else None,
                "name": room.name if room else None,
            },
            "patient_mrn": None if surgery_id in hidden else mrn,
            "procedure": {"code": code, "name": name, "coding_system": coding_system},
            "specialty": specialty,
            "surgeon": {"staff_id": str(surgeon_id), "name": surgeon_name},
            "anaesthesia_type": anaesthesia,
            "priority": priority,
            "expected_duration_minutes": duration,
            "setup_minutes": setup,
            "cleanup_minutes": cleanup,
            "staff": [
                {"staff_id": str(staff_id), "name": person, "role": role}
                for staff_id, role, person in listed.staff
            ],
            "equipment_units": [
                {"unit_id": str(unit_id), "label": label, "equipment_type": kind}
                for unit_id, kind, label in listed.units
            ],
            "wheels_in": None if wheels_in is None else _utc(wheels_in),
            "wheels_out": None if wheels_out is None else _utc(wheels_out),
            "version": version,
        }

    return case


def _utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC (`UtcDatetime`'s serialization): as it is when it already is, as
    PostgreSQL's are."""
    return moment if moment.tzinfo is dt.UTC else moment.astimezone(dt.UTC)

"""Surgery requests and their bookings: what a client sends and what it reads back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from contracts.events.scheduling_surgeries import (
    Booking,
    Mrn,
    Procedure,
    ReasonCode,
    SurgeryStatus,
)
from contracts.events.surgery_request import MOST_PEOPLE_BESIDES_SURGEON, SurgeryRequestFields
from contracts.values import Note
from contracts.vocabulary import StaffRequirement
from pydantic import ConfigDict, Field
from pydantic_core import to_json
from servicekit.pages import Page
from sqlalchemy import Row

from scheduling_service.cases.case_request import CaseRequest

__all__ = [
    "MOST_PEOPLE_BESIDES_SURGEON",
    "SurgeryCreate",
    "SurgeryPublic",
    "SurgeryUpdate",
    "page_json",
]


class SurgeryFields(SurgeryRequestFields):
    """What a surgery request says about the case; the waiting list sorts and filters on it.

    The fields and their rules are the contract's (`contracts.events.surgery_request`), shared with
    interop's FHIR orders; this adds only the conversion to the application's command."""

    def command(self) -> CaseRequest:
        """What the use cases take: the request as the application's own command."""
        return CaseRequest.of(self)


class SurgeryCreate(SurgeryFields):
    pass


class SurgeryUpdate(SurgeryFields):
    """The whole request as corrected; only a case on the waiting list is corrected."""


class BookingPublic(Booking):
    """The booking as the contract says it, with the span the room is held for."""

    room_held_from: datetime = Field(description="The start, less the setup minutes.")
    room_held_until: datetime = Field(description="The end, plus the cleanup minutes.")

    @classmethod
    def of(cls, booking: Booking) -> BookingPublic:
        return cls(
            **dict(booking),
            room_held_from=booking.room_taken_from,
            room_held_until=booking.room_taken_until,
        )


class SurgeryPublic(SurgeryFields):
    model_config = ConfigDict(extra="ignore")

    # A case read back may hide its patient (None) where a request must name one: pydantic
    # allows the narrower field's override, mypy does not.
    patient_mrn: Mrn | None = Field(  # type: ignore[assignment]
        description="The patient's medical record number; null when your roles do not show "
        "this case's patient (a viewer, or a clinician not on the case)."
    )
    notes: Note | None = Field(
        default=None, description="Null too when the patient is not shown: free text may name them."
    )
    surgery_id: uuid.UUID
    status: SurgeryStatus
    reason_code: ReasonCode | None = None
    reason: str | None = None
    wheels_in: datetime | None = None
    wheels_out: datetime | None = None
    requested_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int
    booking: BookingPublic | None = None

    @classmethod
    def of(
        cls, row: Row[Any], booking: Booking | None, *, patient_shown: bool = True
    ) -> SurgeryPublic:
        """The public view of a `surgery_requests` row and its current booking, without the
        patient's identifiers unless `patient_shown`."""
        values = dict(row._mapping)
        if not patient_shown:
            values |= {"patient_mrn": None, "notes": None}
        values["procedure"] = Procedure(
            code=values.pop("procedure_code"),
            name=values.pop("procedure_name"),
            coding_system=values.pop("procedure_coding_system"),
        )
        values["staff_roles_needed"] = tuple(
            StaffRequirement.model_validate(r) for r in values["staff_roles_needed"]
        )
        values["booking"] = BookingPublic.of(booking) if booking is not None else None
        return cls.model_validate(values)


def page_json(
    cases: list[tuple[Row[Any], Booking | None, bool]], *, total: int, offset: int, limit: int
) -> bytes:
    """A `Page[SurgeryPublic]` of `(row, booking, patient_shown)` as JSON, the same bytes that
    validating and serializing the models would give, without building them: what the database
    holds was validated on the way in (the request's rules, the columns' constraints), so a list
    page only copies it out (`test_list_json.py` compares the bytes). The rows are of one
    statement (a page's): their columns are found by name once, then taken by position."""
    items = []
    if cases:
        take = _columns_of(cases[0][0]._fields)
        items = [_public(take(row), booking, shown) for row, booking, shown in cases]
    page = {
        "items": items,
        "total": total,
        "offset": offset,
        "limit": limit,
    }
    return to_json(page)


# What a listed case shows of its `surgery_requests` row, in the order `_public` unpacks it.
_LISTED_COLUMNS = (
    "patient_mrn",
    "procedure_code",
    "procedure_name",
    "procedure_coding_system",
    "surgeon_id",
    "specialty",
    "expected_duration_minutes",
    "setup_minutes",
    "cleanup_minutes",
    "priority",
    "earliest_date",
    "due_date",
    "required_capabilities",
    "equipment_types",
    "anaesthesia_type",
    "staff_roles_needed",
    "notes",
    "surgery_id",
    "status",
    "reason_code",
    "reason",
    "wheels_in",
    "wheels_out",
    "requested_by",
    "created_at",
    "updated_at",
    "version",
)


@lru_cache(maxsize=16)
def _columns_of(fields: tuple[str, ...]) -> Callable[[Row[Any]], tuple[Any, ...]]:
    """Takes `_LISTED_COLUMNS` out of a row with `fields`, by position: a row's attributes and
    its mapping are looked up by name, each about as dear as the row's whole JSON."""
    return itemgetter(*(fields.index(name) for name in _LISTED_COLUMNS))


def _public(values: tuple[Any, ...], booking: Booking | None, shown: bool) -> dict[str, Any]:
    """`SurgeryPublic`'s fields in its order. Ids as text: an id read by asyncpg is its own
    `UUID` type, which pydantic's JSON writer takes the slow way (ten times a `str()`)."""
    (
        mrn,
        code,
        name,
        coding_system,
        surgeon_id,
        specialty,
        duration,
        setup,
        cleanup,
        priority,
        earliest,
        due,
        capabilities,
        equipment_types,
        anaesthesia,
        roles_needed,
        notes,
        surgery_id,
        status,
        reason_code,
        reason,
        wheels_in,
        wheels_out,
        requested_by,
        created_at,
        updated_at,
        version,
    ) = values
    return {
        "patient_mrn": mrn if shown else None,
        "procedure": {"code": code, "name": name, "coding_system": coding_system},
        "surgeon_id": str(surgeon_id),
        "specialty": specialty,
        "expected_duration_minutes": duration,
        "setup_minutes": setup,
        "cleanup_minutes": cleanup,
        "priority": priority,
        "earliest_date": earliest,
        "due_date": due,
        "required_capabilities": capabilities,
        "equipment_types": equipment_types,
        "anaesthesia_type": anaesthesia,
        "staff_roles_needed": [
            {"role": r["role"], "count": r.get("count", 1)} for r in roles_needed
        ],
        "notes": notes if shown else None,
        "surgery_id": str(surgery_id),
        "status": status,
        "reason_code": reason_code,
        "reason": reason,
        "wheels_in": wheels_in,
        "wheels_out": wheels_out,
        "requested_by": str(requested_by),
        "created_at": created_at,
        "updated_at": updated_at,
        "version": version,
        "booking": None if booking is None else _booking(booking),
    }


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "room_id": str(booking.room_id),
        "start": booking.start,
        "end": booking.end,
        "setup_minutes": booking.setup_minutes,
        "cleanup_minutes": booking.cleanup_minutes,
        "staff": [{"staff_id": str(a.staff_id), "role": a.role.value} for a in booking.staff],
        "equipment_unit_ids": [str(unit_id) for unit_id in booking.equipment_unit_ids],
        "room_held_from": booking.room_taken_from,
        "room_held_until": booking.room_taken_until,
    }


# The documented answer of a list page (`response_model`): `page_json` writes it.
SurgeryPage = Page[SurgeryPublic]

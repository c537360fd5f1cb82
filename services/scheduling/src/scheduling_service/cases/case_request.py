"""What a surgery request says about its case: the command that puts one on the waiting list or
corrects it. Routes build it from what a client sent (`api/schemas/surgeries.py`, validated
there); the use cases in `surgeries` take only this, so a response's shape never reaches them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from contracts.events.scheduling_surgeries import AnaesthesiaType, Procedure
from contracts.vocabulary import StaffRequirement, SurgeryPriority


@dataclass(frozen=True, slots=True)
class CaseRequest:
    patient_mrn: str
    procedure: Procedure
    surgeon_id: uuid.UUID
    specialty: str
    expected_duration_minutes: int
    priority: SurgeryPriority
    anaesthesia_type: AnaesthesiaType
    setup_minutes: int = 0
    cleanup_minutes: int = 0
    earliest_date: date | None = None
    due_date: date | None = None
    required_capabilities: tuple[str, ...] = ()
    equipment_types: tuple[str, ...] = ()
    staff_roles_needed: tuple[StaffRequirement, ...] = ()
    notes: str | None = None

    def said(self) -> dict[str, Any]:
        """Every field by name, as an event's fields are given (values kept as they are)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def of(cls, given: Any) -> CaseRequest:
        """The request from anything carrying its fields by name (a validated request body)."""
        return cls(**{f.name: getattr(given, f.name) for f in fields(cls)})

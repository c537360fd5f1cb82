"""The FHIR words of a case: code systems, our lifecycle as FHIR statuses, priorities.

Every mapping here is total over our vocabulary: a status or priority the contracts name has
exactly one FHIR answer.
"""

from __future__ import annotations

from typing import Final, Literal

from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.vocabulary import SurgeryPriority

BASE: Final = "https://surgery.example.org/fhir"
# The hospital's medical record numbers, as `Identifier.system`, typed MR (HL7 table 0203).
MRN_SYSTEM: Final = f"{BASE}/NamingSystem/mrn"
IDENTIFIER_TYPES: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
PARTICIPATION_TYPES: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
STAFF_ROLES: Final = f"{BASE}/CodeSystem/staff-role"
REASONS: Final = f"{BASE}/CodeSystem/reason"
LOCAL_PROCEDURES: Final = f"{BASE}/CodeSystem/procedure"
EXPECTED_DURATION: Final = f"{BASE}/StructureDefinition/expected-duration"
DATA_ABSENT_REASON: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
SECURITY_VALUES: Final = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
SNOMED: Final = "http://snomed.info/sct"
SURGICAL_PROCEDURE: Final = "387713003"
UCUM: Final = "http://unitsofmeasure.org"

# Our `Procedure.coding_system` names as FHIR code system URIs; any other is a local system.
PROCEDURE_SYSTEMS: Final = {
    "snomed_ct": SNOMED,
    "icd10pcs": "http://www.cms.gov/Medicare/Coding/ICD10",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "opcs4": "https://fhir.nhs.uk/Id/opcs-4",
}

AppointmentStatus = Literal[
    "booked", "arrived", "fulfilled", "cancelled", "noshow", "waitlist"
]  # fmt: skip
OrderStatus = Literal["active", "completed", "revoked"]

_S = SurgeryStatus
# A booked case's Appointment; a case never booked has none (it is a ServiceRequest only).
_APPOINTMENT: Final[dict[SurgeryStatus, AppointmentStatus | None]] = {
    _S.REQUESTED: None,
    _S.POSTPONED: "waitlist",  # booked once, its booking freed, back on the waiting list
    _S.SCHEDULED: "booked",
    _S.CONFIRMED: "booked",
    _S.IN_ROOM: "arrived",
    _S.COMPLETED: "fulfilled",
    _S.CANCELLED: "cancelled",
}
_ORDER: Final[dict[SurgeryStatus, OrderStatus]] = {
    _S.REQUESTED: "active",
    _S.POSTPONED: "active",
    _S.SCHEDULED: "active",
    _S.CONFIRMED: "active",
    _S.IN_ROOM: "active",
    _S.COMPLETED: "completed",
    _S.CANCELLED: "revoked",
}
PRIORITIES: Final = {
    SurgeryPriority.ELECTIVE: "routine",
    SurgeryPriority.URGENT: "urgent",
    SurgeryPriority.EMERGENCY: "stat",
}
NO_SHOW_REASON: Final = "patient_did_not_attend"


def appointment_status(
    status: SurgeryStatus, *, was_booked: bool, has_booking: bool, reason_code: str | None
) -> AppointmentStatus | None:
    """The Appointment's status, or None when the case has no Appointment (never booked).

    A case cancelled because the patient did not attend, with the booking they missed, is a
    no-show.
    """
    if not was_booked:
        return None
    mapped = _APPOINTMENT[status]
    if mapped == "cancelled" and reason_code == NO_SHOW_REASON and has_booking:
        return "noshow"
    return mapped


def order_status(status: SurgeryStatus) -> OrderStatus:
    return _ORDER[status]


def procedure_system(coding_system: str | None) -> str:
    if coding_system is None:
        return LOCAL_PROCEDURES
    return PROCEDURE_SYSTEMS.get(coding_system, f"{LOCAL_PROCEDURES}-{coding_system}")


def order_statuses_of(fhir_status: str) -> frozenset[SurgeryStatus]:
    return frozenset(s for s, mapped in _ORDER.items() if mapped == fhir_status)

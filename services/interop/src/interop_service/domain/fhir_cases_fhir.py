"""A case as FHIR R4 resources: its Appointment (the booking) and its ServiceRequest (the order).

Both are built as `fhir.resources` R4B models, so they are validated before they leave. Ids are
our ids: `Appointment/<case id>` is based on `ServiceRequest/<case id>`; the surgeon and team
are `Practitioner/<staff id>`, the room `Location/<room id>`, the units `Device/<unit id>`; the
patient is named by MRN only (`identifier`), never a Patient resource. Shown without its
patient (`show_patient=False`), a resource carries no MRN and says so (`meta.security`
REDACTED; a ServiceRequest's required subject is a data-absent-reason `masked`).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.appointment import Appointment, AppointmentParticipant
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.servicerequest import ServiceRequest

from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_record import Booked, CaseRecord, Request
from interop_service.domain.fhir_json import fhir_jsons, shared


def appointment(case: CaseRecord, *, show_patient: bool = True) -> Appointment | None:
    """The case's Appointment, or None while it has none (never booked, or its request is
    not known yet)."""
    request, booking = case.request, case.booking
    status = terms.appointment_status(
        case.status,
        was_booked=case.was_booked,
        has_booking=booking is not None,
        reason_code=case.reason_code,
    )
    if request is None or status is None:
        return None
    shown = booking if status != "waitlist" else None
    document: dict[str, Any] = {
        "id": str(case.case_id),
        "meta": _meta(case, show_patient),
        "status": status,
        "description": request.procedure_name,
        "basedOn": [{"reference": f"ServiceRequest/{case.case_id}"}],
        "participant": _participants(request, shown, show_patient, _acceptance(status)),
    }
    if status in ("cancelled", "noshow") and case.reason_code:
        document["cancelationReason"] = _reason(case.reason_code)
    if shown is not None:
        document |= _when(shown)
    return Appointment.model_validate(document)


@dataclass(frozen=True, slots=True)
class Placer:
    """The order number of the system that placed the case through FHIR (`POST
    /fhir/ServiceRequest`): given back, so it finds its order by its own number."""

    system: str | None
    value: str


def service_request(
    case: CaseRecord, *, show_patient: bool = True, placer: Placer | None = None
) -> ServiceRequest | None:
    """The case as an order, or None while its request is not known yet."""
    request = case.request
    if request is None:
        return None
    document: dict[str, Any] = {
        "id": str(case.case_id),
        "meta": _meta(case, show_patient),
        "status": terms.order_status(case.status),
        "intent": "order",
        "priority": terms.PRIORITIES[request.priority],
        "category": [_shared(CodeableConcept, _surgical_procedure())],
        "code": _shared(CodeableConcept, _procedure(request)),
        "subject": _shared(Reference, _patient(request) if show_patient else _masked()),
        "performer": [_shared(Reference, {"reference": f"Practitioner/{request.surgeon_id}"})],
        "extension": [_shared(Extension, _expected_duration(request.duration_minutes))],
    }
    if placer is not None:
        document["identifier"] = [_placer_identifier(placer)]
    if case.requested_at is not None:
        document["authoredOn"] = case.requested_at
    if case.booking is not None and case.holds_room:
        start, end = case.booking.start, case.booking.end
        document["occurrencePeriod"] = {"start": start, "end": end}
    return ServiceRequest.model_validate(document)


def _meta(case: CaseRecord, show_patient: bool) -> dict[str, Any]:
    stamps = [s for s in (case.request_as_of, case.booking_as_of, case.status_as_of) if s]
    meta: dict[str, Any] = {"lastUpdated": max(stamps)} if stamps else {}
    if not show_patient:
        meta["security"] = [
            _shared(
                Coding, {"system": terms.SECURITY_VALUES, "code": "REDACTED", "display": "redacted"}
            )
        ]
    return meta


def _acceptance(status: str) -> str:
    return "needs-action" if status == "waitlist" else "accepted"


def _participants(
    request: Request, booking: Booked | None, show_patient: bool, acceptance: str
) -> list[Any]:
    people: list[Any] = []
    if show_patient:
        patient = _shared(Reference, _patient(request))  # and the order's subject: once
        people.append({"actor": patient, "required": "required", "status": acceptance})
    surgeon = _practitioner(request.surgeon_id, "PPRF", "primary performer", "surgeon")
    people.append(_shared(AppointmentParticipant, surgeon | {"status": acceptance}))
    if booking is None:
        return people
    for assigned in booking.staff:
        if assigned.staff_id != request.surgeon_id:
            person = _practitioner(assigned.staff_id, "SPRF", "secondary performer", assigned.role)
            people.append(_shared(AppointmentParticipant, person))
    people.append(_shared(AppointmentParticipant, _actor(f"Location/{booking.room_id}")))
    people += [
        _shared(AppointmentParticipant, _actor(f"Device/{unit_id}")) for unit_id in booking.unit_ids
    ]
    return people


# An element many cases share (a person's part, a room, a unit, the procedure, the category,
# the redacted label), or a case's documents do (its patient), is validated by fhir.resources
# once, as its own model, and handed to the resources as that
# model, which pydantic takes as it is: the resource is still validated whole around it. The
# models are shared, so nothing may change them (nothing does: they are only written out).
def _shared(model: type[Any], element: dict[str, Any]) -> Any:
    return _validated(model.__name__, _frozen(element))


@functools.lru_cache(maxsize=8192)
def _validated(model: str, element: Any) -> Any:
    return shared(_SHARED_MODELS[model].model_validate(_thawed(element)))


_SHARED_MODELS: dict[str, type[Any]] = {
    m.__name__: m for m in (AppointmentParticipant, CodeableConcept, Coding, Extension, Reference)
}


def _frozen(value: Any) -> Any:
    """A hashable copy of a JSON-like value (dicts, lists, strings, numbers)."""
    if isinstance(value, dict):
        return (_DICT, tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return (_LIST, tuple(_frozen(v) for v in value))
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] is _DICT:
        return {k: _thawed(v) for k, v in value[1]}
    if isinstance(value, tuple) and value and value[0] is _LIST:
        return [_thawed(v) for v in value[1]]
    return value


_DICT, _LIST = object(), object()


def _practitioner(staff_id: uuid.UUID, code: str, display: str, role: str) -> dict[str, Any]:
    return {
        "type": [
            {"coding": [{"system": terms.PARTICIPATION_TYPES, "code": code, "display": display}]},
            {"coding": [{"system": terms.STAFF_ROLES, "code": role}], "text": role},
        ],
        "actor": {"reference": f"Practitioner/{staff_id}"},
        "required": "required",
        "status": "accepted",
    }


def _actor(reference: str) -> dict[str, Any]:
    return {"actor": {"reference": reference}, "required": "required", "status": "accepted"}


def _when(booking: Booked) -> dict[str, Any]:
    minutes = int((booking.end - booking.start).total_seconds() // 60)
    when: dict[str, Any] = {"start": booking.start, "end": booking.end}
    return when | ({"minutesDuration": minutes} if minutes > 0 else {})


def _patient(request: Request) -> dict[str, Any]:
    return {
        "identifier": {
            "type": {"coding": [{"system": terms.IDENTIFIER_TYPES, "code": "MR"}]},
            "system": terms.MRN_SYSTEM,
            "value": request.patient_mrn,
        }
    }


def _placer_identifier(placer: Placer) -> dict[str, Any]:
    kind = {"coding": [{"system": terms.IDENTIFIER_TYPES, "code": "PLAC"}]}
    system = {"system": placer.system} if placer.system else {}
    return {"type": kind, **system, "value": placer.value}


def _masked() -> dict[str, Any]:
    return {"extension": [{"url": terms.DATA_ABSENT_REASON, "valueCode": "masked"}]}


def _reason(reason_code: str) -> dict[str, Any]:
    return {"coding": [{"system": terms.REASONS, "code": reason_code}], "text": reason_code}


def _surgical_procedure() -> dict[str, Any]:
    coding = {"system": terms.SNOMED, "code": terms.SURGICAL_PROCEDURE}
    return {"coding": [coding | {"display": "Surgical procedure"}]}


def _procedure(request: Request) -> dict[str, Any]:
    system = terms.procedure_system(request.procedure_system)
    coding = {"system": system, "code": request.procedure_code, "display": request.procedure_name}
    return {"coding": [coding], "text": request.procedure_name}


def _expected_duration(minutes: int) -> dict[str, Any]:
    duration = {"value": minutes, "unit": "min", "system": terms.UCUM, "code": "min"}
    return {"url": terms.EXPECTED_DURATION, "valueDuration": duration}


@dataclass(frozen=True, slots=True)
class Documents:
    """A case's resources as the JSON they leave as, validated once, when the case changed:
    each with and without its patient (None where the case has no such resource)."""

    appointment: str | None
    appointment_masked: str | None
    order: str | None
    order_masked: str | None


def documents_of(case: CaseRecord, placer: Placer | None = None) -> Documents:
    shown = appointment(case)
    order = service_request(case, placer=placer)
    # The text model_dump_json(by_alias=True, exclude_none=True) writes, at a tenth of its
    # cost; the four together, so what a masked resource shares with its unmasked one (and
    # any element cached by `_shared`) is walked once.
    texts = fhir_jsons(shown, _masked_appointment(case, shown), order, _masked_order(case, order))
    return Documents(*texts)


# The resources without their patient are validated whole by fhir.resources too, from the
# elements of the ones with it: pydantic takes an element that is already a validated model
# as it is, so only the resource itself and what differs (meta, subject) are checked again, at
# a fifth of the cost. They are the same as `appointment(case, show_patient=False)` and
# `service_request(case, show_patient=False)`, as the unit tests check over every story.
def _masked_appointment(case: CaseRecord, shown: Appointment | None) -> Appointment | None:
    if shown is None:
        return None
    elements = _elements_of(shown)
    elements["meta"] = _meta(case, show_patient=False)
    elements["participant"] = [
        p for p in shown.participant if p.actor is None or p.actor.identifier is None
    ]
    return Appointment.model_validate(elements)


def _masked_order(case: CaseRecord, order: ServiceRequest | None) -> ServiceRequest | None:
    if order is None:
        return None
    elements = _elements_of(order)
    elements["meta"] = _meta(case, show_patient=False)
    elements["subject"] = _shared(Reference, _masked())
    return ServiceRequest.model_validate(elements)


def _elements_of(resource: Appointment | ServiceRequest) -> dict[str, Any]:
    return {name: value for name, value in resource.__dict__.items() if value is not None}

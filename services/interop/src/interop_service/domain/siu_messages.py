"""SIU messages (HL7 v2.5) built with hl7apy and validated by it, strictly, before anyone sees them.

Every trigger (S12, S13, S14, S15, S26) uses the SIU_S12 message structure, as v2.5 says. A
message is a snapshot of the appointment: the whole booking every time, segment action codes
empty. The mapping, field by field, is the table in docs/services/interop.md.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.vocabulary import StaffRole
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException
from hl7apy.v2_5 import ST

from interop_service.domain.siu_feed import Change, Trigger

VERSION = "2.5"
STRUCTURE = "SIU_S12"
# Our own codes (reasons, roles, resource types) travel as a local coding system: HL7 table 0396
# keeps names beginning with 99 for local use.
LOCAL_CODES = "99ORS"
# Coding systems of procedure codes that HL7 table 0396 names; any other travels as a local one.
CODING_SYSTEMS = {
    "icd10pcs": "I10P",
    "snomed_ct": "SCT",
    "cpt4": "C4",
    "loinc": "LN",
}
FILLER_STATUS = {
    Trigger.S12: "Booked",
    Trigger.S13: "Booked",
    Trigger.S14: "Booked",
    Trigger.S15: "Cancelled",
    Trigger.S26: "Noshow",
}
# SCH-7 (HL7 table 0276): an urgent or emergency case is an EMERGENCY appointment.
APPOINTMENT_REASON = {"elective": "ROUTINE", "urgent": "EMERGENCY", "emergency": "EMERGENCY"}
ROLE_NAMES = {
    StaffRole.SURGEON.value: "Surgeon",
    StaffRole.ANAESTHETIST.value: "Anaesthetist",
    StaffRole.SCRUB_NURSE.value: "Scrub nurse",
    StaffRole.CIRCULATING_NURSE.value: "Circulating nurse",
    StaffRole.PERFUSIONIST.value: "Perfusionist",
    StaffRole.TECHNICIAN.value: "Technician",
}
CONTROL_ID_LENGTH = 20  # MSH-10 is an ST of at most 20 characters in v2.5


class SiuMessageInvalid(ValueError):
    """hl7apy refused a message we built: a bug in this module, never the data's fault."""


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the messages say they are from (MSH-3, MSH-4) and for (MSH-5, MSH-6).

    Names are HL7 codes (IS): the settings hold them to letters, digits, `.`, `_`, `-` and space,
    so they need no escaping.
    """

    application: str
    facility: str
    receiving_application: str = ""
    receiving_facility: str = ""
    filler_contact: str = "OR-SCHEDULING"
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    trigger: Trigger
    control_id: str
    er7: str


def control_id(event_id: uuid.UUID) -> str:
    """MSH-10, derived from the event the message answers: a redelivery builds the same id.

    96 bits of the event id in base32: 20 characters, the most v2.5 allows.
    """
    return base64.b32encode(event_id.bytes[:12]).decode("ascii")[:CONTROL_ID_LENGTH]


def build(change: Change, *, event_id: uuid.UUID, at: datetime, sender: Sender) -> BuiltMessage:
    """The ER7 text (segments ended by CR) of `change`, validated strictly by hl7apy."""
    tz = ZoneInfo(sender.timezone)
    ctl = control_id(event_id)
    try:
        message = _message(change, ctl, at, sender, tz)
        message.validate()
        er7: str = message.to_er7()
    except HL7apyException as exc:  # every validation and value error of hl7apy
        raise SiuMessageInvalid(f"SIU^{change.trigger} {ctl} is not valid HL7 v2.5: {exc}") from exc
    return BuiltMessage(change.trigger, ctl, er7)


def _message(change: Change, ctl: str, at: datetime, sender: Sender, tz: ZoneInfo) -> Any:
    booking = change.booking
    request = change.request
    status = FILLER_STATUS[change.trigger]
    message = Message(STRUCTURE, version=VERSION, validation_level=VALIDATION_LEVEL.STRICT)

    msh = message.msh
    _hd(msh.msh_3, sender.application)
    _hd(msh.msh_4, sender.facility)
    _hd(msh.msh_5, sender.receiving_application)
    _hd(msh.msh_6, sender.receiving_facility)
    msh.msh_7.ts_1 = _dtm(at, tz)
    msh.msh_9.msg_1 = "SIU"
    msh.msh_9.msg_2 = change.trigger.value
    msh.msh_9.msg_3 = STRUCTURE
    msh.msh_10 = ctl
    msh.msh_11.pt_1 = "P"
    msh.msh_12.vid_1 = VERSION
    msh.msh_18 = "UNICODE UTF-8"

    sch = message.sch
    case_id = str(change.case_id)
    _ei(sch.sch_1, case_id, sender.application)
    _ei(sch.sch_2, case_id, sender.application)
    _ce(sch.sch_6, change.reason_code, _words(change.reason_code), LOCAL_CODES)
    reason = APPOINTMENT_REASON.get(request.priority, "ROUTINE")
    _ce(sch.sch_7, reason, reason.title(), "HL70276")
    minutes = _minutes(booking.start, booking.end)
    sch.sch_9 = str(minutes)
    _ce(sch.sch_10, "min", "minutes", "ISO+")
    timing = sch.sch_11
    timing.tq_3 = f"M{minutes}"
    timing.tq_4.ts_1 = _dtm(booking.start, tz)
    timing.tq_5.ts_1 = _dtm(booking.end, tz)
    sch.sch_16.xcn_1 = _text(sender.filler_contact)
    sch.sch_20.xcn_1 = str(change.by) if change.by else _text(sender.application)
    _ce(sch.sch_25, status, status, "HL70278")

    patient = message.add_group("SIU_S12_PATIENT")
    pid = patient.pid
    pid.pid_1 = "1"
    pid.pid_3.cx_1 = _text(request.patient_mrn)
    pid.pid_3.cx_4.hd_1 = sender.facility
    pid.pid_3.cx_5 = "MR"
    # PID-5 is required, and we hold no name: HL7's explicit null says so (the MRN identifies).
    pid.pid_5 = '""'

    resources = message.add_group("SIU_S12_RESOURCES")
    resources.rgs.rgs_1 = "1"

    service = resources.add_group("SIU_S12_SERVICE")
    ais = service.ais
    ais.ais_1 = "1"
    system = request.coding_system
    _ce(ais.ais_3, request.procedure_code, request.procedure_name, _coding_system(system))
    ais.ais_4.ts_1 = _dtm(booking.start, tz)
    ais.ais_7 = str(minutes)
    _ce(ais.ais_8, "min", "minutes", "ISO+")
    _ce(ais.ais_10, status, status, "HL70278")

    for n, unit_id in enumerate(booking.equipment_unit_ids, start=1):
        aig = resources.add_group("SIU_S12_GENERAL_RESOURCE").aig
        aig.aig_1 = str(n)
        _ce(aig.aig_3, str(unit_id), "", LOCAL_CODES)
        _ce(aig.aig_4, "equipment_unit", "Equipment unit", LOCAL_CODES)
        aig.aig_6 = "1"
        aig.aig_8.ts_1 = _dtm(booking.start, tz)
        aig.aig_11 = str(minutes)
        _ce(aig.aig_12, "min", "minutes", "ISO+")
        _ce(aig.aig_14, status, status, "HL70278")

    ail = resources.add_group("SIU_S12_LOCATION_RESOURCE").ail
    ail.ail_1 = "1"
    location = ail.ail_3
    location.pl_1 = "OR"
    location.pl_4.hd_1 = sender.facility
    location.pl_10.ei_1 = str(booking.room_id)
    location.pl_10.ei_2 = sender.application
    ail.ail_6.ts_1 = _dtm(booking.room_taken_from, tz)
    ail.ail_9 = str(_minutes(booking.room_taken_from, booking.room_taken_until))
    _ce(ail.ail_10, "min", "minutes", "ISO+")
    _ce(ail.ail_12, status, status, "HL70278")

    for n, (staff_id, role) in enumerate(_people(change), start=1):
        aip = resources.add_group("SIU_S12_PERSONNEL_RESOURCE").aip
        aip.aip_1 = str(n)
        person = aip.aip_3
        person.xcn_1 = str(staff_id)
        person.xcn_9.hd_1 = sender.application
        _ce(aip.aip_4, role, ROLE_NAMES.get(role, _words(role)), LOCAL_CODES)
        aip.aip_6.ts_1 = _dtm(booking.start, tz)
        aip.aip_9 = str(minutes)
        _ce(aip.aip_10, "min", "minutes", "ISO+")
        _ce(aip.aip_12, status, status, "HL70278")
    return message


def _people(change: Change) -> list[tuple[uuid.UUID, str]]:
    """The operating surgeon first, then the booking's team in its order, each person once."""
    people: list[tuple[uuid.UUID, str]] = [(change.request.surgeon_id, StaffRole.SURGEON.value)]
    seen = {change.request.surgeon_id}
    for assignment in change.booking.staff:
        if assignment.staff_id not in seen:
            seen.add(assignment.staff_id)
            people.append((assignment.staff_id, assignment.role.value))
    return people


def _coding_system(system: str | None) -> str:
    if system is None:
        return LOCAL_CODES
    return CODING_SYSTEMS.get(system, ("99" + system.upper().replace("_", ""))[:20])


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _dtm(at: datetime, tz: ZoneInfo) -> str:
    """An HL7 DTM to the second, in the hospital's time zone with its offset."""
    if at.tzinfo is None:
        raise SiuMessageInvalid("a time without a time zone has no place in a message")
    return at.astimezone(tz).strftime("%Y%m%d%H%M%S%z")


def _text(value: str) -> Any:
    """Free text as an escaped ST: the delimiters become escape sequences, control characters
    (a CR would end the segment) spaces."""
    return ST("".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value))


def _words(code: str) -> str:
    return code.replace("_", " ")


def _hd(field: Any, namespace: str) -> None:
    if namespace:
        field.hd_1 = namespace


def _ei(field: Any, identifier: str, namespace: str) -> None:
    field.ei_1 = _text(identifier)
    field.ei_2 = namespace


def _ce(field: Any, identifier: str, text: str, system: str) -> None:
    field.ce_1 = _text(identifier)
    if text:
        field.ce_2 = _text(text)
    field.ce_3 = system

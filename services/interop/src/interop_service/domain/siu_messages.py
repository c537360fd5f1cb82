"""SIU messages (HL7 v2.5) built with hl7apy and validated by it, strictly, before anyone sees them.

Every trigger (S12, S13, S14, S15, S26) uses the SIU_S12 message structure, as v2.5 says. A
message is a snapshot of the appointment: the whole booking every time, segment action codes
empty. The mapping, field by field, is the table in docs/services/interop.md.
"""

from __future__ import annotations

import base64
import functools
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from contracts.vocabulary import StaffRole
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.factories import datatype_factory
from hl7apy.parser import parse_field, parse_message

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
    """The ER7 text (segments ended by CR) of `change`, validated strictly by hl7apy.

    The segments are written field by field here (values escaped), then hl7apy checks them
    (`validate`): as strictly as a parse into its v2.5 `SIU_S12` structure and a validation of
    the whole, at a fraction of the cost, since the feed must keep up with 50 bookings a second
    on a two-core machine. hl7apy's own element setters produce the same message at twice the
    cost of the whole parse: the parse is what validates.
    """
    tz = ZoneInfo(sender.timezone)
    ctl = control_id(event_id)
    text = "\r".join(_segments(change, ctl, at, sender, tz))
    try:
        validate(text)
    except (HL7apyException, ValueError) as exc:  # hl7apy raises ValueError on some bad values
        raise SiuMessageInvalid(f"SIU^{change.trigger} {ctl} is not valid HL7 v2.5: {exc}") from exc
    # hl7apy writes back exactly this text (`to_er7()`, checked by the tests): stored as is.
    return BuiltMessage(change.trigger, ctl, text + "\r")


def validate(text: str) -> None:
    """Has hl7apy check `text` (segments joined by CR) as strictly as `validate_whole` does,
    at a fraction of the cost: raises its HL7apyException (a ValueError for some bad values,
    or SiuMessageInvalid) if not valid.

    Whether a message's structure is valid (its groups, the segments and fields it must and
    may hold, their cardinalities and datatypes) depends only on its type and its shape: which
    fields, components and subcomponents hold a value. Whether each value is valid (format,
    length) depends only on the field it is in and its text. So the first message of each shape
    is parsed and validated whole; a later one of a shape already proven has each of its fields
    checked by hl7apy as that field (`_field_valid`). The tests prove the two agree over every
    story a case can tell.
    """
    segments = text.split("\r")
    key = _shape(segments)
    if key not in _PROVEN:
        validate_whole(text)
        if len(_PROVEN) < _MAX_SHAPES:
            _PROVEN.add(key)
        return
    for segment in segments:
        name, *fields = segment.split("|")
        first = 1
        if name == "MSH":  # MSH-1 is the field separator itself, MSH-2 the encoding characters
            fields, first = fields[1:], 3
        for number, field in enumerate(fields, start=first):
            if field.strip():  # as hl7apy's parser: a blank field is an absent one
                for repetition in field.split("~"):
                    _field_valid(f"{name}_{number}", repetition)


def validate_whole(text: str) -> None:
    """hl7apy's full check: the message parsed into its v2.5 structure under strict validation
    (every datatype, length and table-typed component as it goes), then validated whole
    (required segments and fields, cardinalities)."""
    message = parse_message(text, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    if message.name != STRUCTURE:
        raise SiuMessageInvalid(f"read back as {message.name}, not {STRUCTURE}")
    message.validate()


# Shapes proven valid by a whole parse. A shape is the message type, version and the
# delimiters left when every value is cut to one mark: a few dozen in a hospital's life
# (per count of units and people), bounded anyway.
_PROVEN: set[tuple[str, ...]] = set()
_MAX_SHAPES = 4096
_VALUES = re.compile(r"[^|^~\\&]+")


def _shape(segments: list[str]) -> tuple[str, ...]:
    header = segments[0].split("|")
    kind = (header[8], header[11]) if len(header) > 11 else ("", "")
    return (*kind, *(_VALUES.sub(_mark, segment) for segment in segments))


def _mark(value: re.Match[str]) -> str:
    return "x" if value.group().strip() else ""


@functools.lru_cache(maxsize=16384)
def _field_valid(name: str, text: str) -> None:
    """One field's text checked strictly by hl7apy as the field `name` (e.g. AIP_3); raises
    if not valid (a raise is not remembered; a field seen valid before, the sender's, a room's,
    a person's, is not checked again).

    A field's structure (its datatype, which components and subcomponents it may hold, the
    datatype of each) depends only on its name and shape (`_field_shape`), and what hl7apy's
    strict parse checks of a value beyond that is exactly the value's datatype
    (`datatype_factory`, which the parser calls for each subcomponent it sets). So the first
    field of a name and shape is parsed whole (`parse_field`) and the datatypes of its values
    are kept; a later one has only its values checked, each by hl7apy as its datatype (a
    value seen before, remembered). Where the parse's values do not line up one to one with
    the text's, nothing is kept and every field of that shape is parsed whole.
    """
    key = (name, _field_shape(text))
    datatypes = _FIELD_DATATYPES.get(key)
    if datatypes is None:
        datatypes = _field_datatypes(name, text)  # raises if not valid
        if len(_FIELD_DATATYPES) < _MAX_FIELD_SHAPES:
            _FIELD_DATATYPES[key] = datatypes
        return
    if datatypes is _PARSE_WHOLE:
        parse_field(text, name, VERSION, validation_level=VALIDATION_LEVEL.STRICT)
        return
    for datatype, value in zip(datatypes, _values(text), strict=True):
        _value_valid(datatype, value)


# Per field name and shape proven by a parse, the datatypes of its values in order (or
# _PARSE_WHOLE). A few hundred in a hospital's life, bounded anyway.
_FIELD_DATATYPES: dict[tuple[str, str], tuple[str, ...]] = {}
_MAX_FIELD_SHAPES = 4096
_PARSE_WHOLE: tuple[str, ...] = ()
_FIELD_VALUES = re.compile(r"[^^&\\]+")


def _field_shape(text: str) -> str:
    """The field's delimiters, each value cut to a mark: `x` for text, `s` for blanks, which
    hl7apy still reads as a value inside a component of a base datatype."""
    return _FIELD_VALUES.sub(_field_mark, text)


def _field_mark(value: re.Match[str]) -> str:
    return "x" if value.group().strip() else "s"


def _values(text: str) -> list[str]:
    """The texts hl7apy's parser gives a datatype to, in its order: each subcomponent that is
    not empty, of each component that is not blank."""
    return [
        sub
        for component in text.split("^")
        if component.strip()
        for sub in component.split("&")
        if sub
    ]


def _field_datatypes(name: str, text: str) -> tuple[str, ...]:
    field = parse_field(text, name, VERSION, validation_level=VALIDATION_LEVEL.STRICT)
    parsed = [
        (sub.datatype, sub.to_er7())
        for component in field.children
        for sub in component.children
        if sub.to_er7()
    ]
    if [value for _, value in parsed] != _values(text) or not all(d for d, _ in parsed):
        return _PARSE_WHOLE
    return tuple(datatype for datatype, _ in parsed)


@functools.lru_cache(maxsize=16384)
def _value_valid(datatype: str, text: str) -> None:
    """A value checked by hl7apy as its datatype, strictly (length, format); raises if not
    valid (a raise is not remembered)."""
    datatype_factory(datatype, text, VERSION, VALIDATION_LEVEL.STRICT)


def _segments(change: Change, ctl: str, at: datetime, sender: Sender, tz: ZoneInfo) -> list[str]:
    booking = change.booking
    request = change.request
    status = _ce(FILLER_STATUS[change.trigger], FILLER_STATUS[change.trigger], "HL70278")
    minutes = str(_minutes(booking.start, booking.end))
    start = _dtm(booking.start, tz)
    in_minutes = _ce("min", "minutes", "ISO+")
    app = sender.application
    case_id = str(change.case_id)
    reason = APPOINTMENT_REASON.get(request.priority, "ROUTINE")
    segments = [
        _segment(
            "MSH",
            "^~\\&",
            app,
            sender.facility,
            sender.receiving_application,
            sender.receiving_facility,
            _dtm(at, tz),
            "",
            f"SIU^{change.trigger.value}^{STRUCTURE}",
            ctl,
            "P",
            VERSION,
            *[""] * 5,
            "UNICODE UTF-8",
        ),
        _segment(
            "SCH",
            f"{case_id}^{app}",  # SCH-1 placer appointment id
            f"{case_id}^{app}",  # SCH-2 filler appointment id
            "",
            "",
            "",
            _ce(change.reason_code, _words(change.reason_code), LOCAL_CODES),  # SCH-6
            _ce(reason, reason.title(), "HL70276"),  # SCH-7
            "",
            minutes,  # SCH-9
            in_minutes,  # SCH-10
            f"^^M{minutes}^{start}^{_dtm(booking.end, tz)}",  # SCH-11
            "",
            "",
            "",
            "",
            _escape(sender.filler_contact),  # SCH-16
            "",
            "",
            "",
            str(change.by) if change.by else app,  # SCH-20
            *[""] * 4,
            status,  # SCH-25
        ),
        # PID-5 is required, and we hold no name: HL7's explicit null says so (the MRN identifies).
        _segment(
            "PID", "1", "", f"{_escape(request.patient_mrn)}^^^{sender.facility}^MR", "", '""'
        ),
        _segment("RGS", "1"),
        _segment(
            "AIS",
            "1",
            "",
            _ce(
                request.procedure_code,
                request.procedure_name,
                _coding_system(request.coding_system),
            ),
            start,
            "",
            "",
            minutes,
            in_minutes,
            "",
            status,
        ),
    ]
    for n, unit_id in enumerate(booking.equipment_unit_ids, start=1):
        segments.append(
            _segment(
                "AIG",
                str(n),
                "",
                _ce(str(unit_id), "", LOCAL_CODES),
                _ce("equipment_unit", "Equipment unit", LOCAL_CODES),
                "",
                "1",
                "",
                start,
                "",
                "",
                minutes,
                in_minutes,
                "",
                status,
            )
        )
    room_minutes = str(_minutes(booking.room_taken_from, booking.room_taken_until))
    segments.append(
        _segment(
            "AIL",
            "1",
            "",
            f"OR^^^{sender.facility}^^^^^^{booking.room_id}&{app}",
            "",
            "",
            _dtm(booking.room_taken_from, tz),
            "",
            "",
            room_minutes,
            in_minutes,
            "",
            status,
        )
    )
    for n, (staff_id, role) in enumerate(_people(change), start=1):
        segments.append(
            _segment(
                "AIP",
                str(n),
                "",
                f"{staff_id}^^^^^^^^{app}",
                _ce(role, ROLE_NAMES.get(role, _words(role)), LOCAL_CODES),
                "",
                start,
                "",
                "",
                minutes,
                in_minutes,
                "",
                status,
            )
        )
    return segments


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


def _escape(value: str) -> str:
    """Free text as ER7: the delimiters become escape sequences, control characters (a CR
    would end the segment) spaces."""
    text = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value)
    text = text.replace("\\", "\\E\\")
    for char, code in (("|", "F"), ("^", "S"), ("&", "T"), ("~", "R")):
        text = text.replace(char, f"\\{code}\\")
    return text if text.strip() else ""  # hl7apy reads a blank value as none, and writes none


def _words(code: str) -> str:
    return code.replace("_", " ")


def _ce(identifier: str, text: str, system: str) -> str:
    return f"{_escape(identifier)}^{_escape(text)}^{system}"


def _segment(name: str, *fields: str) -> str:
    return "|".join((name, *fields)).rstrip("|")

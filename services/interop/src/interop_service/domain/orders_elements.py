"""The elements of one ServiceRequest, read one at a time: each reader takes its element, notes
where each of our fields came from, and records an issue instead of raising, so one answer
names everything to fix. What no reader took is refused at the end (`refuse_unmapped`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from interop_service.domain import orders_terms as terms

_PRACTITIONER = re.compile(
    r"(?:^|/)Practitioner/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


@dataclass(frozen=True, slots=True)
class OrderIssue:
    """One element that stops an order: its FHIRPath and why."""

    expression: str
    diagnostics: str
    missing: bool = False


class Elements:
    """A validated ServiceRequest (FHIR JSON), taken apart element by element."""

    def __init__(self, resource: dict[str, Any]) -> None:
        self._left = dict(resource)
        self.issues: list[OrderIssue] = []
        # Our field (dotted, as pydantic names it) -> the FHIRPath it was read from.
        self.sources: dict[str, str] = {"": "ServiceRequest"}
        self._extensions: list[dict[str, Any]] = list(self._left.pop("extension", []))

    def take(self, element: str) -> Any:
        return self._left.pop(element, None)

    def refuse(self, expression: str, why: str, *, missing: bool = False) -> None:
        self.issues.append(OrderIssue(expression, why, missing))

    def require_code(self, element: str, wanted: str, why: str) -> None:
        given = self.take(element)
        if given is None:
            self.refuse(f"ServiceRequest.{element}", f"is required: {wanted}", missing=True)
        elif given != wanted:
            self.refuse(f"ServiceRequest.{element}", f"is {given!r}; {why} ({wanted})")

    def require_surgical_category(self) -> None:
        codings = [c for concept in self.take("category") or [] for c in concept.get("coding", [])]
        if not any(
            c.get("system") == terms.SNOMED and c.get("code") == terms.SURGICAL_PROCEDURE
            for c in codings
        ):
            self.refuse(
                "ServiceRequest.category",
                f"must include SNOMED CT {terms.SURGICAL_PROCEDURE} (surgical procedure)",
                missing=not codings,
            )

    def patient_mrn(self) -> str | None:
        subject = self.take("subject")
        where = "ServiceRequest.subject"
        if subject is None:
            self.refuse(where, "is required: the patient by identifier (MRN)", missing=True)
            return None
        if "reference" in subject:
            self.refuse(
                f"{where}.reference",
                "the patient is named by identifier (the MRN); this server keeps no Patient",
            )
        value: str | None = (subject.get("identifier") or {}).get("value")
        if value is None:
            self.refuse(f"{where}.identifier.value", "is required: the MRN", missing=True)
        self.sources["patient_mrn"] = f"{where}.identifier.value"
        return value

    def procedure(self) -> dict[str, Any] | None:
        code = self.take("code")
        if code is None:
            self.refuse("ServiceRequest.code", "is required: the procedure", missing=True)
            return None
        codings: list[dict[str, Any]] = code.get("coding", [])
        if not codings:
            self.refuse(
                "ServiceRequest.code.coding",
                "a coded procedure is required (text alone names no procedure code)",
                missing=True,
            )
            return None
        index, coding = _first_known(codings)
        at = f"ServiceRequest.code.coding[{index}]"
        system = coding.get("system")
        if system is not None and system not in terms.CODING_SYSTEMS:
            known = ", ".join(terms.CODING_SYSTEMS)
            self.refuse(f"{at}.system", f"{system} is not a code system we read ({known})")
        name = code.get("text") or coding.get("display")
        self.sources |= {
            "procedure": "ServiceRequest.code",
            "procedure.code": f"{at}.code",
            "procedure.name": "ServiceRequest.code.text" if "text" in code else f"{at}.display",
        }
        if name is None:
            self.refuse(
                "ServiceRequest.code.text", "the procedure's name is required (or a display)"
            )
        return {
            "code": coding.get("code"),
            "name": name,
            "coding_system": terms.CODING_SYSTEMS.get(system) if system else None,
        }

    def surgeon_id(self) -> str | None:
        performers: list[dict[str, Any]] = self.take("performer") or []
        self.sources["surgeon_id"] = "ServiceRequest.performer[0].reference"
        if len(performers) != 1:
            self.refuse(
                "ServiceRequest.performer",
                f"names {len(performers)} performers; exactly one is needed: the surgeon, as "
                "Practitioner/<staff id>",
                missing=not performers,
            )
            return None
        found = _PRACTITIONER.search(performers[0].get("reference", ""))
        if found is None:
            self.refuse(
                "ServiceRequest.performer[0].reference",
                "must be Practitioner/<staff id> (the surgeon)",
            )
            return None
        return found.group(1)

    def priority(self) -> str | None:
        given = self.take("priority")
        self.sources["priority"] = "ServiceRequest.priority"
        if given is None:
            return terms.PRIORITIES["routine"].value  # FHIR: routine when absent
        if given not in terms.PRIORITIES:
            known = ", ".join(terms.PRIORITIES)
            self.refuse("ServiceRequest.priority", f"{given!r} is not one of {known}")
            return None
        return terms.PRIORITIES[given].value

    def dates(self) -> dict[str, str | None]:
        """earliest_date and due_date from the occurrence: a period's start and end, or the
        day a single date-time names (the day it is due)."""
        if self.take("occurrenceTiming") is not None:
            self.refuse("ServiceRequest.occurrenceTiming", "a repeating timing places no one case")
        if (moment := self.take("occurrenceDateTime")) is not None:
            self.sources |= {"due_date": "ServiceRequest.occurrenceDateTime"}
            return {"due_date": _day(moment)}
        period = self.take("occurrencePeriod") or {}
        self.sources |= {
            "earliest_date": "ServiceRequest.occurrencePeriod.start",
            "due_date": "ServiceRequest.occurrencePeriod.end",
            "": "ServiceRequest.occurrencePeriod",
        }
        return {"earliest_date": _day(period.get("start")), "due_date": _day(period.get("end"))}

    def notes(self) -> str | None:
        texts = [n["text"] for n in self.take("note") or [] if n.get("text")]
        self.sources["notes"] = "ServiceRequest.note"
        return "\n".join(texts) if texts else None

    def placer_identifier(self) -> dict[str, Any] | None:
        identifiers: list[dict[str, Any]] = self.take("identifier") or []
        placers = [i for i in identifiers if _is_placer(i)] or identifiers
        if len(placers) != 1 or "value" not in placers[0]:
            self.refuse(
                "ServiceRequest.identifier",
                "exactly one placer order number is required (one identifier, or one of type "
                f"{terms.PLACER}), with a value",
                missing=not identifiers,
            )
            return None
        return placers[0]

    def extension_code(self, url: str, *, required: bool = False) -> str | None:
        value = self._single(url, "valueCode", required=required)
        return value if isinstance(value, str) else None

    def extension_minutes(self, url: str, *, required: bool = False) -> int | None:
        duration = self._single(url, "valueDuration", required=required)
        if not isinstance(duration, dict):
            return None
        unit = duration.get("code") or duration.get("unit")
        value = duration.get("value")
        if unit not in terms.MINUTES_PER_UNIT or value is None:
            self.refuse(
                terms.at_extension(url), "must be a Duration with a value in min or h (UCUM)"
            )
            return None
        minutes = Decimal(str(value)) * terms.MINUTES_PER_UNIT[unit]
        if minutes != minutes.to_integral_value():
            self.refuse(terms.at_extension(url), f"{minutes} is not a whole number of minutes")
            return None
        return int(minutes)

    def extension_codes(self, url: str) -> list[str] | None:
        found = [e for e in self._extensions if e.get("url") == url]
        self._extensions = [e for e in self._extensions if e.get("url") != url]
        field = _FIELDS[url]
        self.sources[field] = terms.at_extension(url)
        codes = [e.get("valueCode") for e in found]
        if any(code is None for code in codes):
            self.refuse(terms.at_extension(url), "must be a valueCode")
            return None
        return [str(code) for code in codes] if codes else None

    def refuse_foreign_in_our_namespace(self) -> None:
        """Extensions of other publishers may be ignored (FHIR says so); an unknown one of ours
        is a mistake to name."""
        for extension in self._extensions:
            url = str(extension.get("url", ""))
            if url.startswith(terms.STRUCTURE_BASE):
                self.refuse(f"ServiceRequest.extension('{url}')", "is not an extension we define")

    def refuse_unmapped(self) -> None:
        for element in sorted(self._left):
            if element in terms.IGNORED_ELEMENTS or element.startswith("_"):
                continue
            self.refuse(
                f"ServiceRequest.{element}",
                "is not mapped to a surgery request by this server; leave it out",
            )

    def _single(self, url: str, kind: str, *, required: bool) -> Any:
        found = [e for e in self._extensions if e.get("url") == url]
        self._extensions = [e for e in self._extensions if e.get("url") != url]
        self.sources[_FIELDS[url]] = terms.at_extension(url)
        if not found:
            if required:
                self.refuse(terms.at_extension(url), f"is required ({kind})", missing=True)
            return None
        if len(found) > 1 or kind not in found[0]:
            self.refuse(terms.at_extension(url), f"must be given once, as {kind}")
            return None
        return found[0][kind]


_FIELDS = {
    terms.EXPECTED_DURATION: "expected_duration_minutes",
    terms.SPECIALTY: "specialty",
    terms.ANAESTHESIA_TYPE: "anaesthesia_type",
    terms.SETUP_DURATION: "setup_minutes",
    terms.CLEANUP_DURATION: "cleanup_minutes",
    terms.REQUIRED_CAPABILITY: "required_capabilities",
    terms.EQUIPMENT_TYPE: "equipment_types",
    terms.STAFF_ROLE_NEEDED: "staff_roles_needed",
}


def _first_known(codings: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The first coding in a system we read (or without one); else the first."""
    for index, coding in enumerate(codings):
        if coding.get("system") in (None, *terms.CODING_SYSTEMS):
            return index, coding
    return 0, codings[0]


def _is_placer(identifier: dict[str, Any]) -> bool:
    codings = (identifier.get("type") or {}).get("coding", [])
    return any(
        c.get("system") == terms.IDENTIFIER_TYPES and c.get("code") == terms.PLACER for c in codings
    )


def _day(moment: Any) -> str | None:
    """The date part of a FHIR date or dateTime (a year or year-month alone stays as given, and
    is refused by the contract's date)."""
    return str(moment)[:10] if moment is not None else None

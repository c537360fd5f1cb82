"""The FHIR words of an order: our extensions, the code systems we read, priorities, FHIRPaths."""

from __future__ import annotations

from typing import Final

from contracts.vocabulary import SurgeryPriority

STRUCTURE_BASE: Final = "https://surgery.example.org/fhir/StructureDefinition"
SNOMED: Final = "http://snomed.info/sct"
# "Surgical procedure": the category an order must carry to be one for the theatre.
SURGICAL_PROCEDURE: Final = "387713003"
# HL7 v2 table 0203: the identifier type of a placer's order number.
IDENTIFIER_TYPES: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
PLACER: Final = "PLAC"
UCUM: Final = "http://unitsofmeasure.org"


def extension_url(name: str) -> str:
    return f"{STRUCTURE_BASE}/{name}"


# Our extensions on ServiceRequest: what a surgery request needs that R4 has no element for.
EXPECTED_DURATION: Final = extension_url("expected-duration")  # valueDuration, required
SPECIALTY: Final = extension_url("specialty")  # valueCode, required
ANAESTHESIA_TYPE: Final = extension_url("anaesthesia-type")  # valueCode, required
SETUP_DURATION: Final = extension_url("setup-duration")  # valueDuration
CLEANUP_DURATION: Final = extension_url("cleanup-duration")  # valueDuration
REQUIRED_CAPABILITY: Final = extension_url("required-capability")  # valueCode, repeats
EQUIPMENT_TYPE: Final = extension_url("equipment-type")  # valueCode, repeats
STAFF_ROLE_NEEDED: Final = extension_url("staff-role-needed")  # valueCode, one per person

SINGLE_EXTENSIONS: Final = (
    EXPECTED_DURATION,
    SPECIALTY,
    ANAESTHESIA_TYPE,
    SETUP_DURATION,
    CLEANUP_DURATION,
)
REPEATED_EXTENSIONS: Final = (REQUIRED_CAPABILITY, EQUIPMENT_TYPE, STAFF_ROLE_NEEDED)

# Procedure code systems by their FHIR URI, as our `Procedure.coding_system` names them.
CODING_SYSTEMS: Final = {
    SNOMED: "snomed_ct",
    "http://www.cms.gov/Medicare/Coding/ICD10": "icd10pcs",
    "http://www.ama-assn.org/go/cpt": "cpt",
    "https://fhir.nhs.uk/Id/opcs-4": "opcs4",
}

# FHIR's request-priority to ours: asap is sooner than urgent, stat is now.
PRIORITIES: Final = {
    "routine": SurgeryPriority.ELECTIVE,
    "urgent": SurgeryPriority.URGENT,
    "asap": SurgeryPriority.URGENT,
    "stat": SurgeryPriority.EMERGENCY,
}

# A Duration's unit (UCUM code) in minutes.
MINUTES_PER_UNIT: Final = {"min": 1, "h": 60}

# Elements an order may carry that we neither need nor keep: the placer's own bookkeeping.
IGNORED_ELEMENTS: Final = frozenset(
    {"resourceType", "id", "meta", "text", "language", "authoredOn", "requester"}
)


def at_extension(url: str) -> str:
    """The FHIRPath of one of our extensions' values."""
    return f"ServiceRequest.extension('{url}').value"


def fhirpath(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location inside a ServiceRequest as a FHIRPath expression."""
    path = "ServiceRequest"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path

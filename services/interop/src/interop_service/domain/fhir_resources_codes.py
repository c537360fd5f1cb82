"""The identifiers and code systems the FHIR resources of rooms, staff and equipment carry.

Our own code systems live under `CODE_SYSTEM_BASE`; SNOMED CT is added beside our code where a
clean concept exists (docs/services/interop.md lists both).
"""

from __future__ import annotations

import uuid
from typing import Final

# `Identifier.system` of every record's own id (a UUID), on every resource we serve.
IDENTIFIER_SYSTEM: Final = "https://surgery.example.org/fhir/NamingSystem/id"
CODE_SYSTEM_BASE: Final = "https://surgery.example.org/fhir/CodeSystem"
ROOM_CODE_SYSTEM: Final = "https://surgery.example.org/fhir/NamingSystem/room-code"
STAFF_ROLE_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/staff-role"
SPECIALTY_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/specialty"
ROOM_CAPABILITY_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/room-capability"
EQUIPMENT_TYPE_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/equipment-type"
SNOMED: Final = "http://snomed.info/sct"
LOCATION_PHYSICAL_TYPE: Final = "http://terminology.hl7.org/CodeSystem/location-physical-type"

# Our staff roles with a clean SNOMED CT occupation: (code, display). Both nurse roles are
# professional nurses; a perfusionist and a technician keep our code alone.
SNOMED_ROLES: Final[dict[str, tuple[str, str]]] = {
    "surgeon": ("304292004", "Surgeon"),
    "anaesthetist": ("158970007", "Anesthetist"),
    "scrub_nurse": ("106292003", "Professional nurse"),
    "circulating_nurse": ("106292003", "Professional nurse"),
}

# PractitionerRole ids: a staff member holds one role at a time, and the id of that pairing is
# derived, so any part can reference it without a lookup.
_PRACTITIONER_ROLE_NAMESPACE: Final = uuid.UUID("6f1c2a8e-3f4b-5d6c-9e7f-8a9b0c1d2e3f")


def practitioner_role_id(staff_id: uuid.UUID, role: str) -> uuid.UUID:
    """The PractitionerRole id of a staff member in a role: the same on every call."""
    return uuid.uuid5(_PRACTITIONER_ROLE_NAMESPACE, f"{staff_id}/{role}")


def display(term: str) -> str:
    """A lower_snake_case term as a person reads it: `scrub_nurse` -> `Scrub nurse`."""
    return term.replace("_", " ").capitalize()

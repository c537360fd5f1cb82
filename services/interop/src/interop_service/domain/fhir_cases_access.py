"""Who sees which case through FHIR, and whether with its patient: scheduling's object-level
rules ("Faults and access"), written here from the contracts' roles, applied to our resources.

- admin, coordinator: every case with its patient.
- surgeon, anaesthetist, nurse: every Appointment (a room's day is no secret), the patient only
  of the cases they are on; the ServiceRequests (orders: the waiting list) of their own cases.
- viewer: every Appointment and ServiceRequest, never the patient.

A user holding several roles gets the widest grant of each. "On a case" is: its surgeon, the
user who requested it, or anyone its booking assigns. A case the reader may not see is answered
as if it did not exist; one they see without its patient carries no MRN.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum, IntEnum

from contracts.events.auth_users import Role

PLANNERS = frozenset({Role.ADMIN.value, Role.COORDINATOR.value})
CLINICIANS = frozenset({Role.SURGEON.value, Role.ANAESTHETIST.value, Role.NURSE.value})
VIEWERS = frozenset({Role.VIEWER.value})


class Scope(IntEnum):
    """Which cases a grant covers; ordered, so several roles take the widest."""

    NONE = 0
    OWN = 1
    EVERY = 2


class Sight(Enum):
    HIDDEN = "hidden"
    MASKED = "masked"  # without the patient's MRN
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Reader:
    """Who asks: their user, roles and the staff members linked to that user."""

    user_id: uuid.UUID
    roles: frozenset[str]
    staff_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True, slots=True)
class CaseTies:
    """Who is on a case: its surgeon, who requested it, everyone its booking assigns."""

    surgeon_id: uuid.UUID
    requested_by: uuid.UUID | None
    assigned: frozenset[uuid.UUID] = frozenset()


def _widest(roles: Collection[str], planners: Scope, clinicians: Scope, viewers: Scope) -> Scope:
    granted = [Scope.NONE]
    granted += [planners] if PLANNERS & set(roles) else []
    granted += [clinicians] if CLINICIANS & set(roles) else []
    granted += [viewers] if VIEWERS & set(roles) else []
    return max(granted)


def order_scope(roles: Collection[str]) -> Scope:
    """ServiceRequests: a case read on its own, a line of the waiting list."""
    return _widest(roles, Scope.EVERY, Scope.OWN, Scope.EVERY)


def appointment_scope(roles: Collection[str]) -> Scope:
    """Appointments: a case on a room's or a person's day list."""
    return _widest(roles, Scope.EVERY, Scope.EVERY, Scope.EVERY)


def patient_scope(roles: Collection[str]) -> Scope:
    """The cases whose patient identifier the reader sees, wherever the case is shown."""
    return _widest(roles, Scope.EVERY, Scope.OWN, Scope.NONE)


def needs_own_cases(roles: Collection[str]) -> bool:
    """Whether an answer depends on which cases the reader is on (so on their staff links)."""
    scopes = (order_scope(roles), appointment_scope(roles), patient_scope(roles))
    return Scope.OWN in scopes


def is_on(reader: Reader, ties: CaseTies) -> bool:
    return (
        ties.surgeon_id in reader.staff_ids
        or ties.requested_by == reader.user_id
        or bool(ties.assigned & reader.staff_ids)
    )


def covers(scope: Scope, reader: Reader, ties: CaseTies) -> bool:
    return scope is Scope.EVERY or (scope is Scope.OWN and is_on(reader, ties))


def _sight(shown: Scope, reader: Reader, ties: CaseTies) -> Sight:
    if not covers(shown, reader, ties):
        return Sight.HIDDEN
    if covers(patient_scope(reader.roles), reader, ties):
        return Sight.FULL
    return Sight.MASKED


def order_sight(reader: Reader, ties: CaseTies) -> Sight:
    return _sight(order_scope(reader.roles), reader, ties)


def appointment_sight(reader: Reader, ties: CaseTies) -> Sight:
    return _sight(appointment_scope(reader.roles), reader, ties)

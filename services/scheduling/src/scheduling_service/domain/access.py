"""Who sees which case, how much of it, and who records it into and out of the room.

Every object-level rule of scheduling lives here, pure: the caller gathers who asks (their
roles and the staff members linked to their user) and who is on a case, and asks.

- admin, coordinator: every case with its patient, anywhere; wheels of any case.
- surgeon, anaesthetist, nurse: the cases they are on, with the patient; every case on the day
  lists, the patient only of those they are on; wheels of the cases assigned to them.
- viewer: every case, never the patient; no wheels.

A user holding several roles gets the widest grant of each. "On a case" is: its
surgeon, the user who requested it, or anyone its booking assigns. Assigned to it (wheels) is
the surgeon or anyone the booking assigns: requesting a case is no seat in the room.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum, IntEnum

PLANNERS = frozenset({"admin", "coordinator"})
CLINICIANS = frozenset({"surgeon", "anaesthetist", "nurse"})
VIEWERS = frozenset({"viewer"})


class Scope(IntEnum):
    """Which cases a grant covers; ordered, so several roles take the widest."""

    NONE = 0
    OWN = 1  # the cases the reader is on
    EVERY = 2


class Sight(Enum):
    """How a reader sees one case."""

    HIDDEN = "hidden"  # not at all: answered as if it did not exist
    MASKED = "masked"  # without patient identifiers (MRN, free-text notes)
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Reader:
    """Who asks: their user, roles and the staff members linked to that user."""

    user_id: uuid.UUID
    roles: frozenset[str]
    staff_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True, slots=True)
class CaseTies:
    """Who is on a case: its surgeon, who requested it, and everyone its booking assigns."""

    surgeon_id: uuid.UUID
    requested_by: uuid.UUID | None
    assigned: frozenset[uuid.UUID] = frozenset()


def _widest(roles: Collection[str], planners: Scope, clinicians: Scope, viewers: Scope) -> Scope:
    granted = [Scope.NONE]
    granted += [planners] if PLANNERS & set(roles) else []
    granted += [clinicians] if CLINICIANS & set(roles) else []
    granted += [viewers] if VIEWERS & set(roles) else []
    return max(granted)


def case_scope(roles: Collection[str]) -> Scope:
    """The cases read one by one: a case, its history, the waiting list."""
    return _widest(roles, Scope.EVERY, Scope.OWN, Scope.EVERY)


def list_scope(roles: Collection[str]) -> Scope:
    """The cases a day list (per room or per person) shows: the room's day is no secret."""
    return _widest(roles, Scope.EVERY, Scope.EVERY, Scope.EVERY)


def patient_scope(roles: Collection[str]) -> Scope:
    """The cases whose patient identifiers the reader sees, wherever the case is shown."""
    return _widest(roles, Scope.EVERY, Scope.OWN, Scope.NONE)


def needs_own_cases(roles: Collection[str]) -> bool:
    """Whether any answer depends on which cases the reader is on (so on their staff links)."""
    scopes = (case_scope(roles), list_scope(roles), patient_scope(roles))
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


def case_sight(reader: Reader, ties: CaseTies) -> Sight:
    """A case read on its own, its history, a line of the waiting list."""
    return _sight(case_scope(reader.roles), reader, ties)


def list_sight(reader: Reader, ties: CaseTies) -> Sight:
    """A case on a day list."""
    return _sight(list_scope(reader.roles), reader, ties)


def may_record_wheels(reader: Reader, ties: CaseTies) -> bool:
    """Wheels-in and wheels-out: planners for any case, clinicians for a case assigned to them."""
    if PLANNERS & reader.roles:
        return True
    seated = {ties.surgeon_id} | ties.assigned
    return bool(CLINICIANS & reader.roles) and bool(seated & reader.staff_ids)

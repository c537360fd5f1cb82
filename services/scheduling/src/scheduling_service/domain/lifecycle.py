"""The lifecycle of a case: which status may follow which, and what each move needs.

    requested ─book→ scheduled ─confirm→ confirmed ─wheels in→ in_room ─wheels out→ completed
        ↑               │  ↑                 │
        └─ postponed ←──┴──┼─────────────────┘   (postpone frees the booking; book again)
                           └── reschedule (a scheduled or confirmed case moves; stays booked)
    any status before in_room ─cancel→ cancelled

A postponed case is back on the waiting list: it can be booked again. Cancelled and completed
are final. A reschedule of a confirmed case leaves it scheduled: the new time needs confirming.
"""

from __future__ import annotations

from contracts.events.scheduling_surgeries import SurgeryStatus

# The lifecycle's own name for the contract's statuses, exported for the rest of the service.
Status = SurgeryStatus

WAITING = frozenset({Status.REQUESTED, Status.POSTPONED})
BOOKED = frozenset({Status.SCHEDULED, Status.CONFIRMED})
FINAL = frozenset({Status.COMPLETED, Status.CANCELLED})
# Statuses whose booking holds rooms, people and units (a completed case's booking stays too,
# as the record of what happened, but it is in the past).
HOLDING = frozenset({Status.SCHEDULED, Status.CONFIRMED, Status.IN_ROOM, Status.COMPLETED})

# action → (statuses it may start from, the status it leads to)
MOVES: dict[str, tuple[frozenset[Status], Status]] = {
    "book": (WAITING, Status.SCHEDULED),
    "reschedule": (BOOKED, Status.SCHEDULED),
    "confirm": (frozenset({Status.SCHEDULED}), Status.CONFIRMED),
    "wheels_in": (BOOKED, Status.IN_ROOM),
    "wheels_out": (frozenset({Status.IN_ROOM}), Status.COMPLETED),
    "postpone": (BOOKED, Status.POSTPONED),
    "cancel": (WAITING | BOOKED, Status.CANCELLED),
}


class TransitionRefused(Exception):
    """The case's status does not allow the action; the message says why, for a `409`."""


def next_status(current: Status | str, action: str) -> Status:
    """The status `action` leads to from `current`, or `TransitionRefused`."""
    allowed, target = MOVES[action]
    current = Status(current)
    if current not in allowed:
        choices = ", ".join(sorted(s.value for s in allowed))
        raise TransitionRefused(
            f"A case that is {current.value} cannot {action.replace('_', ' ')}; "
            f"only a case that is {choices} can."
        )
    return target

"""How the waiting list orders and selects cases: urgency first, then who is due soonest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.vocabulary import SurgeryPriority

# The rank of a priority: the lower, the sooner the case must be done.
PRIORITY_RANK: dict[str, int] = {
    SurgeryPriority.EMERGENCY: 0,
    SurgeryPriority.URGENT: 1,
    SurgeryPriority.ELECTIVE: 2,
}

SortKey = Literal[
    "priority", "-priority", "due_date", "-due_date", "created_at", "-created_at", "surgeon"
]
SortField = Literal["priority_rank", "due_date", "created_at", "surgeon_name", "surgeon_id"]


@dataclass(frozen=True, slots=True)
class Order:
    """One term of an ordering: a field, its direction, and whether missing values go last."""

    field: SortField
    descending: bool = False
    nulls_last: bool = False


# Each sort key's terms; the caller ends every ordering on the case id so pages never repeat.
# A tie in priority goes to the case due first (undated ones last), then to the oldest request.
ORDERINGS: dict[str, tuple[Order, ...]] = {
    "priority": (
        Order("priority_rank"),
        Order("due_date", nulls_last=True),
        Order("created_at"),
    ),
    "-priority": (
        Order("priority_rank", descending=True),
        Order("due_date", nulls_last=True),
        Order("created_at"),
    ),
    "due_date": (Order("due_date", nulls_last=True), Order("priority_rank")),
    "-due_date": (Order("due_date", descending=True, nulls_last=True), Order("priority_rank")),
    "created_at": (Order("created_at"),),
    "-created_at": (Order("created_at", descending=True),),
    "surgeon": (
        Order("surgeon_name", nulls_last=True),
        Order("surgeon_id"),
        Order("priority_rank"),
    ),
}


def ordering(sort: str) -> tuple[Order, ...]:
    """The terms of `sort`, one of `SortKey`; a `KeyError` for any other."""
    return ORDERINGS[sort]

"""One conflict of a booking, and the span tests every booking rule shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span

from scheduling_service.domain.booking.booking_facts import Held

ResourceType = Literal["room", "staff", "unit", "case"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Conflict:
    """One reason a booking cannot be made, as the `409` and the dry run list it."""

    code: str
    message: str
    resource_type: ResourceType
    resource_id: uuid.UUID | None
    interval: Span | None = None
    other_surgery_id: uuid.UUID | None = None

    def as_json(self) -> dict[str, Any]:
        span = self.interval
        return {
            "code": self.code,
            "message": self.message,
            "resource_type": self.resource_type,
            "resource_id": str(self.resource_id) if self.resource_id else None,
            "interval": {"start": span.start.isoformat(), "end": span.end.isoformat()}
            if span
            else None,
            "other_surgery_id": str(self.other_surgery_id) if self.other_surgery_id else None,
        }


def double_booked(
    kind: ResourceType,
    resources: Sequence[tuple[uuid.UUID, str]],
    span: Span,
    held: Sequence[Held],
    tz: ZoneInfo,
) -> list[Conflict]:
    """Each other case holding one of `resources` (id, name) over part of `span`, earliest
    first."""
    found = []
    for resource_id, name in resources:
        clashes = sorted(
            (h for h in held if h.resource_id == resource_id and overlap(h.span, span)),
            key=lambda h: (h.span, str(h.surgery_id)),
        )
        for other in clashes:
            message = f"{name} is held {when(other.span, tz)} by case {other.surgery_id}."
            found.append(
                Conflict(
                    f"{kind}_double_booked",
                    message,
                    kind,
                    resource_id,
                    other.span,
                    other.surgery_id,
                )
            )
    return found


def known(ids: Sequence[uuid.UUID], found: Mapping[uuid.UUID, T]) -> Iterator[T]:
    """The known ones of `ids`, each once, in the order given."""
    return (found[i] for i in dict.fromkeys(ids) if i in found)


def within_one(span: Span, spans: Sequence[Span]) -> bool:
    return any(s.start <= span.start and span.end <= s.end for s in spans)


def overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def when(span: Span, tz: ZoneInfo) -> str:
    """A span as a coordinator reads it: local time, the end's date only if it differs."""
    start, end = span.start.astimezone(tz), span.end.astimezone(tz)
    until = end.strftime("%H:%M") if end.date() == start.date() else stamp(end)
    return f"{stamp(start)}-{until} ({tz.key})"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")

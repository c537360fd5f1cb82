"""What a set of KPI figures covers: everything, or a room, a service, a surgeon, or several."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Protocol

from scheduling_service.domain.kpis.kpi_facts import BlockOccurrence


class _Booked(Protocol):
    """A case or a given-up booking: where, whose and of which service."""

    @property
    def room_id(self) -> uuid.UUID: ...
    @property
    def service(self) -> str: ...
    @property
    def surgeon_id(self) -> uuid.UUID | None: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """What a set of figures covers: everything, or one room, service or surgeon, or several
    of those together."""

    room_id: uuid.UUID | None = None
    service: str | None = None
    surgeon_id: uuid.UUID | None = None

    def covers(self, booked: _Booked) -> bool:
        return (
            self.covers_room(booked.room_id)
            and (self.service is None or booked.service == self.service)
            and (self.surgeon_id is None or booked.surgeon_id == self.surgeon_id)
        )

    def covers_room(self, room_id: uuid.UUID) -> bool:
        return self.room_id is None or room_id == self.room_id

    def covers_block(self, block: BlockOccurrence) -> bool:
        """A block is a service's or a surgeon's: narrowed to either, only theirs count."""
        return (
            self.covers_room(block.room_id)
            and (self.service is None or block.service == self.service)
            and (self.surgeon_id is None or block.surgeon_id == self.surgeon_id)
        )

    def of_whom(self) -> bool:
        """Narrowed to a service or a surgeon: a share of the rooms, not whole room-days."""
        return self.service is not None or self.surgeon_id is not None

    def narrowed(self, **to: object) -> Scope:
        # The callers name the scope's own fields; `replace` refuses any other at run time, and
        # mypy cannot check keyword arguments passed on as `**to`.
        return replace(self, **to)  # type: ignore[arg-type]

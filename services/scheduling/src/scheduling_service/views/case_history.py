"""A case's history: the lines of `case_history` (who moved it, from what to what, when and
why, with the booking it had then), oldest first, each naming the person who acted.

Scheduling knows people's names only as staff (the read model of resources); a user who is
not linked to a staff member is named "unknown user" with their id, and a line with no user
(an optimizer run applied by the system) "system".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from sqlalchemy import Row, select

from scheduling_service.audit import audit_log
from scheduling_service.cases import case_access, cases
from scheduling_service.db.tables import case_history, staff
from scheduling_service.domain import access


@dataclass(frozen=True, slots=True)
class Line:
    row: Row[Any]
    changed_by_name: str


def actor_name(changed_by: uuid.UUID | None, staff_name: str | None) -> str:
    """The staff member's name; else "unknown user <id>"; "system" when no user acted."""
    if changed_by is None:
        return "system"
    return staff_name or f"unknown user {changed_by}"


async def read(uow: UnitOfWork, surgery_id: uuid.UUID, *, reader: Principal) -> list[Line]:
    """The case's lines in the order they were written; 404 for an unknown case or one the
    reader may not see (`domain/access.py`). Audited as a read of the case
    (`surgery.history.read`)."""
    found = await cases.find(uow.session, surgery_id)
    booking = await cases.booking_of(uow.session, surgery_id)
    who = await case_access.reader_of(uow.session, reader)
    ties = case_access.ties_of(found, case_access.booked_people(booking))
    if access.case_sight(who, ties) is access.Sight.HIDDEN:
        raise case_access.hidden(surgery_id)
    named = staff.alias("named")
    rows = (
        await uow.session.execute(
            select(case_history, named.c.name.label("actor_staff_name"))
            .outerjoin(
                named,
                (named.c.user_id == case_history.c.changed_by) & named.c.user_id.is_not(None),
            )
            .where(case_history.c.surgery_id == surgery_id)
            .order_by(case_history.c.entry_id)
        )
    ).all()
    lines: dict[int, Line] = {}
    for row in rows:  # a user linked to two staff members is named by the first one met
        if row.entry_id not in lines:
            lines[row.entry_id] = Line(row, actor_name(row.changed_by, row.actor_staff_name))
    await audit_log.record(
        uow,
        actor=audit_log.actor(reader),
        action="surgery.history.read",
        record_id=surgery_id,
        details={"version": found.version, "lines": len(lines)},
    )
    await uow.commit()
    return list(lines.values())

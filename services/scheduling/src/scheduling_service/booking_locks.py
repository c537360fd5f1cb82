"""What a booking waits for before it is judged: its cases, and the days of its people.

The exclusion constraints keep overlaps out whatever races; a daily maximum has no constraint,
so two changes touching the same person on the same local day take turns instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from servicekit.problems import Problem
from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import surgery_requests
from scheduling_service.domain.booking_facts import Proposal


async def cases(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
    """The cases of `ids`, locked in id order (two changes of several cases never deadlock
    on them); `404` naming one that does not exist."""
    query = (
        select(surgery_requests)
        .where(surgery_requests.c.surgery_id.in_(list(ids)))
        .order_by(surgery_requests.c.surgery_id)
        .with_for_update()
    )
    rows = list((await session.execute(query)).all())
    missing = sorted(set(ids) - {row.surgery_id for row in rows})
    if missing:
        raise Problem(404, f"There is no surgery request {missing[0]}.")
    return rows


# One advisory lock per person and local day, taken in the order of their keys: two changes
# touching the same person-day serialize (their daily maximum is then judged on what the other
# committed), and no two changes wait on each other's locks in opposite orders.
_PERSON_DAYS = text(
    """
    SELECT pg_advisory_xact_lock(person_day) FROM (
        SELECT DISTINCT hashtextextended(
            held.staff_id::text || ':'
            || (held.start AT TIME ZONE coalesce(staff.snapshot ->> 'timezone', :tz))::date,
            0
        ) AS person_day
        FROM unnest(CAST(:staff_ids AS uuid[]), CAST(:starts AS timestamptz[]))
            AS held(staff_id, start)
        LEFT JOIN staff ON staff.staff_id = held.staff_id
        ORDER BY person_day
    ) AS person_days
    """
)


async def person_days(session: AsyncSession, proposals: Sequence[Proposal], tz: ZoneInfo) -> None:
    """Locks the local day (in the person's time zone) each person of `proposals` would
    operate on, the day a daily maximum counts; waits while another change holds one."""
    pairs = [(s, p.surgery.start) for p in proposals for s in p.staff_ids]
    await session.execute(
        _PERSON_DAYS,
        {"staff_ids": [s for s, _ in pairs], "starts": [t for _, t in pairs], "tz": tz.key},
    )

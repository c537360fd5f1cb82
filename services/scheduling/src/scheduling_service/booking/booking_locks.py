"""What a booking waits for before it is judged: its cases, and the days of its people.

The exclusion constraints keep overlaps out whatever races; a daily maximum has no constraint,
so two changes touching the same person on the same local day take turns instead.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contracts.events.resources_staff import StaffMemberUpserted
from servicekit.problems import Problem
from sqlalchemy import Row, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import staff, surgery_requests
from scheduling_service.domain.booking.booking_facts import Proposal
from scheduling_service.read_model import resources_view


def _cases() -> Any:
    """Built once: every booking runs the same compiled (and prepared) statement. Each case
    comes with the read model's versions of its people (`staff_ids` and its surgeon), in
    `people_ids` and `people_versions` by id: no round trip of their own (`people_of`)."""
    uuids = ARRAY(UUID(as_uuid=True))
    wanted = staff.c.staff_id == any_(
        func.array_append(bindparam("staff_ids", type_=uuids), surgery_requests.c.surgeon_id)
    )
    people = [
        select(func.array_agg(aggregate_order_by(column, staff.c.staff_id)))
        .where(wanted)
        .scalar_subquery()
        .label(name)
        for name, column in (("people_ids", staff.c.staff_id), ("people_versions", staff.c.version))
    ]
    return (
        select(surgery_requests, *people)
        .where(surgery_requests.c.surgery_id == any_(bindparam("ids", type_=uuids)))
        .order_by(surgery_requests.c.surgery_id)
        .with_for_update(of=surgery_requests)
    )


_CASES = _cases()


async def cases(
    session: AsyncSession, ids: Sequence[uuid.UUID], staff_ids: Collection[uuid.UUID] = ()
) -> list[Row[Any]]:
    """The cases of `ids`, locked in id order (two changes of several cases never deadlock
    on them); `404` naming one that does not exist. With each, the read model's versions of
    its surgeon and of `staff_ids` (the people placed with it), for `people_of`."""
    rows = list(
        (await session.execute(_CASES, {"ids": list(ids), "staff_ids": list(staff_ids)})).all()
    )
    missing = sorted(set(ids) - {row.surgery_id for row in rows})
    if missing:
        raise Problem(404, f"There is no surgery request {missing[0]}.")
    return rows


# One advisory lock per person and local day, taken in the order of their keys: two changes
# touching the same person-day serialize (their daily maximum is then judged on what the other
# committed), and no two changes wait on each other's locks in opposite orders. The local day
# is worked out here with `zoneinfo`, as the rule that counts the daily maximum does.
_PERSON_DAYS = text(
    "SELECT pg_advisory_xact_lock(person_day)"
    " FROM unnest(CAST(:keys AS bigint[])) WITH ORDINALITY AS k(person_day, n) ORDER BY n"
)


def people_of(rows: Sequence[Row[Any]]) -> dict[uuid.UUID, int]:
    """The read model's version of each person the cases of `rows` (`cases`) came with."""
    return {
        staff_id: version
        for row in rows
        for staff_id, version in zip(row.people_ids or (), row.people_versions or (), strict=True)
    }


async def person_days(
    session: AsyncSession,
    proposals: Sequence[Proposal],
    tz: ZoneInfo,
    versions: Mapping[uuid.UUID, int] | None = None,
) -> dict[uuid.UUID, StaffMemberUpserted]:
    """Locks the local day (in the person's time zone, else the hospital's `tz`) each person of
    `proposals` would operate on, the day a daily maximum counts; waits while another change
    holds one. Answers the people as the read model has them, for judging to use again:
    `versions`, the read model's versions of (at least) them already read in this transaction
    (`people_of`), spares reading people whose snapshot this process has validated."""
    staff_ids = {s for p in proposals for s in p.staff_ids}
    if not staff_ids:
        return {}
    if versions is None:
        people = await resources_view.staff_by_id(session, staff_ids)
    else:
        people = await resources_view.staff_at(
            session, {s: v for s, v in versions.items() if s in staff_ids}
        )
    zones = {staff_id: _zone(member.timezone, tz) for staff_id, member in people.items()}
    keys = sorted(
        {
            person_day_key(s, p.surgery.start.astimezone(zones.get(s, tz)).date())
            for p in proposals
            for s in p.staff_ids
        }
    )
    await session.execute(_PERSON_DAYS, {"keys": keys})
    return people


def person_day_key(staff_id: uuid.UUID, day: date) -> int:
    """The advisory lock key of one person's local day: a signed 64-bit hash."""
    digest = hashlib.blake2b(f"{staff_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _zone(name: str, hospital: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return hospital

"""A proposal against the current plan: what it would move, add, keep, and leave out.

Pure: the plan the optimizer answered, where each case is booked now, and each case's version
when the problem was built and now. A case whose version moved since is `changed`: the proposal
is stale and applying it is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from contracts.planning import CaseAssignment, Plan, UnscheduledCase


class Change(StrEnum):
    MOVED = "moved"  # booked now, the plan places it elsewhere (room, time, staff or units)
    ADDED = "added"  # waiting now, the plan places it
    UNBOOKED = "unbooked"  # booked now, the plan leaves it out
    UNSCHEDULED = "unscheduled"  # waiting now, the plan leaves it out
    UNCHANGED = "unchanged"  # booked now, the plan keeps it exactly there


# The order a coordinator reads a proposal in: what applying it would change first.
_READING_ORDER = list(Change)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a case is, or would be: `start`-`end` is the surgery; people besides the surgeon."""

    room_id: uuid.UUID
    start: datetime
    end: datetime
    staff_ids: frozenset[uuid.UUID]
    unit_ids: frozenset[uuid.UUID]

    @classmethod
    def of(cls, assignment: CaseAssignment) -> Placement:
        return cls(
            room_id=assignment.room_id,
            start=assignment.start,
            end=assignment.end,
            staff_ids=frozenset(assignment.staff_ids),
            unit_ids=frozenset(assignment.equipment_unit_ids),
        )

    def differences(self, other: Placement) -> tuple[str, ...]:
        """What differs from `other`: any of room, time, staff, units."""
        found = []
        if self.room_id != other.room_id:
            found.append("room")
        if (self.start, self.end) != (other.start, other.end):
            found.append("time")
        if self.staff_ids != other.staff_ids:
            found.append("staff")
        if self.unit_ids != other.unit_ids:
            found.append("units")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class CaseChange:
    case_id: uuid.UUID
    change: Change
    current: Placement | None
    proposed: Placement | None
    differences: tuple[str, ...] = ()
    reason: str | None = None
    detail: str | None = None
    changed_since_request: bool = False

    @property
    def applies(self) -> bool:
        """Whether applying the proposal books this case where the plan says."""
        return self.change in (Change.MOVED, Change.ADDED)


@dataclass(frozen=True, slots=True)
class ProposalDiff:
    cases: tuple[CaseChange, ...]
    changed_case_ids: tuple[uuid.UUID, ...]

    @property
    def stale(self) -> bool:
        return bool(self.changed_case_ids)

    def counts(self) -> dict[Change, int]:
        return {kind: sum(1 for c in self.cases if c.change == kind) for kind in Change}

    def to_apply(self) -> dict[uuid.UUID, Placement]:
        """The placements applying the proposal writes: every moved and added case."""
        return {c.case_id: c.proposed for c in self.cases if c.applies and c.proposed}

    def ids_of(self, kind: Change) -> frozenset[uuid.UUID]:
        return frozenset(c.case_id for c in self.cases if c.change == kind)

    def locked_not_kept(self, locked: Iterable[uuid.UUID]) -> tuple[uuid.UUID, ...]:
        """The locked cases the plan does not keep exactly where they are: moved, left out, or
        missing from it."""
        return tuple(sorted(set(locked) - self.ids_of(Change.UNCHANGED)))


def changed_cases(
    versions_then: Mapping[uuid.UUID, int], versions_now: Mapping[uuid.UUID, int]
) -> tuple[uuid.UUID, ...]:
    """Cases whose version moved since the request (one that vanished counts as changed)."""
    return tuple(
        sorted(
            case_id
            for case_id, version in versions_then.items()
            if versions_now.get(case_id) != version
        )
    )


def diff(
    plan: Plan,
    current: Mapping[uuid.UUID, Placement],
    *,
    versions_then: Mapping[uuid.UUID, int],
    versions_now: Mapping[uuid.UUID, int],
    left_out: Iterable[UnscheduledCase] = (),
) -> ProposalDiff:
    """Each case of the problem against where it is booked now (`current`), in reading order.

    `versions_then` names the problem's cases; plan entries for any other case are ignored.
    `left_out` are cases asked for but kept out of the problem before solving, with why.
    """
    changed = changed_cases(versions_then, versions_now)
    known = set(versions_then)
    changes = [
        _placed(a.case_id, Placement.of(a), current.get(a.case_id))
        for a in plan.assignments
        if a.case_id in known
    ]
    changes += [
        _left_out(u, current.get(u.case_id)) for u in plan.unscheduled if u.case_id in known
    ]
    changes += [_left_out(u, current.get(u.case_id)) for u in left_out]
    marked = [_marked(c, c.case_id in changed) for c in changes]
    return ProposalDiff(cases=tuple(sorted(marked, key=_reading_key)), changed_case_ids=changed)


def _placed(case_id: uuid.UUID, proposed: Placement, current: Placement | None) -> CaseChange:
    if current is None:
        return CaseChange(case_id, Change.ADDED, None, proposed)
    differences = proposed.differences(current)
    kind = Change.MOVED if differences else Change.UNCHANGED
    return CaseChange(case_id, kind, current, proposed, differences)


def _left_out(out: UnscheduledCase, current: Placement | None) -> CaseChange:
    kind = Change.UNSCHEDULED if current is None else Change.UNBOOKED
    return CaseChange(out.case_id, kind, current, None, reason=out.reason, detail=out.detail)


def _marked(change: CaseChange, changed: bool) -> CaseChange:
    return replace(change, changed_since_request=True) if changed else change


def _reading_key(change: CaseChange) -> tuple[int, str, str]:
    where = change.proposed or change.current
    when = where.start.isoformat() if where else ""
    return (_READING_ORDER.index(change.change), when, str(change.case_id))

"""Which segments each case may go to, and, when none, the reason a coordinator would give."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import cache

from optimizer_service.domain.calendar import Segment, Window
from optimizer_service.domain.facts import CaseFacts, Facts, allowed_in

Stage = tuple[str, Callable[[Segment], bool]]
Fits = Callable[[str, int, int, int, int], bool]  # kind, who, start, end, duration


def longest_overlap(windows: list[Window], start: int, end: int) -> int:
    """The longest overlap of sorted, disjoint windows with start-end."""
    best = 0
    for a, b in windows[bisect_right(windows, start, key=lambda w: w[1]) :]:
        if a >= end:
            break
        best = max(best, min(b, end) - max(a, start))
    return best


def assign_segments(facts: Facts) -> dict[int, tuple[str, str]]:
    """Fill each free case's eligible segments; answer (reason, detail) for cases with none."""
    reasons = {}
    fits = _fits_cache(facts)
    for case in facts.cases:
        if case.locked:
            continue
        candidates = list(range(len(facts.segments)))
        for reason, keep in _stages(facts, case, fits):
            candidates = [s for s in candidates if keep(facts.segments[s])]
            if not candidates:
                reasons[case.index] = (reason, _detail(reason, case))
                break
        case.segments = candidates
    return reasons


def _fits_cache(facts: Facts) -> Fits:
    @cache
    def fits(kind: str, who: int, start: int, end: int, duration: int) -> bool:
        windows = facts.staff_windows[who] if kind == "staff" else facts.unit_windows[who]
        return longest_overlap(windows, start, end) >= duration

    return fits


def _stages(facts: Facts, case: CaseFacts, fits: Fits) -> list[Stage]:
    rooms = facts.problem.rooms
    needed = set(case.case.required_capabilities)
    role_staff = [(facts.staff_for(role, case.surgeon), count) for role, count in case.roles]
    type_units = [facts.units_for(t) for t in case.unit_types]

    def inner(seg: Segment) -> tuple[int, int]:
        return seg.start + case.setup, seg.end - case.case.cleanup_minutes

    def people_fit(seg: Segment) -> bool:
        a, b = inner(seg)
        d = case.duration
        if not fits("staff", case.surgeon, a, b, d):
            return False
        return all(_enough(fits, ss, n, a, b, d) for ss, n in role_staff)

    def units_fit(seg: Segment) -> bool:
        a, b = inner(seg)
        return all(any(fits("unit", u, a, b, case.duration) for u in us) for us in type_units)

    return [
        ("outside_horizon", lambda seg: seg.day >= case.first_day),
        ("no_capable_room", lambda seg: needed <= set(rooms[seg.room].capabilities)),
        ("no_equipment", lambda seg: all(type_units)),
        ("no_staff", lambda seg: all(len(ss) >= n for ss, n in role_staff)),
        ("not_in_block", lambda seg: allowed_in(facts, case, seg)),
        ("no_capacity", lambda seg: seg.length >= case.occupied),
        ("no_staff", people_fit),
        ("no_equipment", units_fit),
    ]


def _enough(fits: Fits, staff: list[int], needed: int, start: int, end: int, duration: int) -> bool:
    """Whether `needed` of `staff` are available for `duration` within start-end (stops early)."""
    found = 0
    for s in staff:
        if fits("staff", s, start, end, duration):
            found += 1
            if found >= needed:
                return True
    return found >= needed


def _detail(reason: str, case: CaseFacts) -> str:
    c = case.case
    return {
        "outside_horizon": f"its earliest date {c.earliest_date} is after the horizon",
        "no_capable_room": "no open room has capabilities "
        + ", ".join(c.required_capabilities or ("(none)",)),
        "no_equipment": "no unit of " + ", ".join(c.equipment_types) + " is available in time",
        "no_staff": "its surgeon or enough staff of "
        + ", ".join(f"{n} {r.value}" for r, n in case.roles)
        + " are not available during open room time",
        "not_in_block": "no block of its surgeon or service and no unblocked room time",
        "no_capacity": f"no open room stretch is long enough for {case.occupied} minutes",
    }[reason]

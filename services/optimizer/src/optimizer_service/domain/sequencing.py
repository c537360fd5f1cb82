"""Phase 2: sequence one day's cases in their segments, with start times, staff and units (CP-SAT).

A case may move, at a small cost, to another room the day already opens: what phase 1's budgets
cannot see (a surgeon in two rooms, staff shift shapes) is mostly resolved by a swap. The solver
starts from a whole first-fit day and keeps it when it finds nothing better in time. Cases that
still do not fit are left out (at their cost) and handed back to be placed elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model
from ortools.util.python.sorted_interval_list import Domain

from optimizer_service.domain.assignment import new_solver
from optimizer_service.domain.calendar import Segment, Window
from optimizer_service.domain.facts import CaseFacts, Facts
from optimizer_service.domain.ledger import Placement

MANDATORY_DROP = 10**7


def _lists() -> defaultdict[int, list[Any]]:
    return defaultdict(list)


@dataclass(slots=True)
class _Day:
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    starts: dict[int, cp_model.IntVar] = field(default_factory=dict)
    present: dict[int, cp_model.IntVar] = field(default_factory=dict)
    staff: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    units: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    room_of: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    domains: dict[int, Domain] = field(default_factory=dict)
    rooms: dict[int, list[cp_model.IntervalVar]] = field(default_factory=_lists)
    people: dict[int, list[cp_model.IntervalVar]] = field(default_factory=_lists)
    machines: dict[int, list[cp_model.IntervalVar]] = field(default_factory=_lists)
    minutes: dict[int, list[cp_model.LinearExprT]] = field(default_factory=_lists)
    fixed_minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    costs: list[cp_model.LinearExprT] = field(default_factory=list)


def _starts_within(windows: list[Window], duration: int, low: int, high: int) -> Domain:
    pieces = [[max(a, low), min(b - duration, high)] for a, b in windows]
    return Domain.from_intervals([p for p in pieces if p[0] <= p[1]])


def sequence_day(
    facts: Facts,
    day: int,
    cases: dict[int, int],
    fixed: list[Placement],
    hint: dict[int, Placement],
    *,
    seconds: float,
    workers: int,
    seed: int = 0,
) -> dict[int, Placement]:
    """Placements for the day's cases (case -> segment) that fit; the others are left out.

    `fixed` are placements already made that reach into the day (locked cases, and cases of
    other days whose unit turnaround or room time crosses midnight): kept as they are."""
    d = _Day()
    for placement in fixed:
        _fixed(facts, d, placement, day)
    opened = {facts.segments[s].room for s in cases.values()}
    opened |= {p.room for p in fixed if facts.timeline.day_of(p.start) == day}
    for c, s in cases.items():
        others = [
            facts.segments[o]
            for o in facts.cases[c].segments
            if o != s and facts.segments[o].day == day and facts.segments[o].room in opened
        ]
        _case(facts, d, facts.cases[c], facts.segments[s], others)
    for intervals in (*d.rooms.values(), *d.people.values(), *d.machines.values()):
        d.model.add_no_overlap(intervals)
    for person, load in d.minutes.items():
        # minutes locked cases already take may overrun the maximum: they are given
        d.model.add(sum(load) <= max(0, facts.daily_max(person, day) - d.fixed_minutes[person]))
    d.model.minimize(sum(d.costs))
    _hint(d, hint)
    solver = new_solver(max(0.2, seconds), workers, seed)
    if solver.solve(d.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint
    solved = _read(facts, d, solver)
    return min(solved, hint, key=lambda placed: _left_out_cost(facts, cases, placed))


def _hint(d: _Day, hint: dict[int, Placement]) -> None:
    """A whole feasible day to start from: every case's start, room, staff and units."""
    m = d.model
    for c, present in d.present.items():
        p = hint.get(c)
        m.add_hint(present, p is not None and d.domains[c].contains(p.start))
        if p is not None and d.domains[c].contains(p.start):
            m.add_hint(d.starts[c], p.start)
    for table, chosen in ((d.room_of, "room"), (d.staff, "staff"), (d.units, "units")):
        for (c, what), var in table.items():
            p = hint.get(c)
            picked = p is not None and (
                what == p.room if chosen == "room" else what in getattr(p, chosen)
            )
            m.add_hint(var, picked)


def _left_out_cost(facts: Facts, cases: dict[int, int], placed: dict[int, Placement]) -> int:
    return sum(
        MANDATORY_DROP if facts.cases[c].mandatory else facts.cases[c].unscheduled_cost
        for c in cases
        if c not in placed
    )


def _fixed(facts: Facts, d: _Day, p: Placement, day: int) -> None:
    m, case = d.model, facts.cases[p.case]
    c = case.case
    occupied = c.setup_minutes + p.end - p.start + c.cleanup_minutes  # a booking's own length
    d.rooms[p.room].append(m.new_fixed_size_interval_var(p.start - c.setup_minutes, occupied, "l"))
    same_day = facts.timeline.day_of(p.start) == day
    for person in (case.surgeon, *p.staff):
        d.people[person].append(m.new_fixed_size_interval_var(p.start, p.end - p.start, "lp"))
        if same_day:
            d.fixed_minutes[person] += p.end - p.start
    for unit in p.units:
        size = p.end - p.start + facts.unit_turnaround[unit]
        d.machines[unit].append(m.new_fixed_size_interval_var(p.start, size, "lu"))


def _case(facts: Facts, d: _Day, case: CaseFacts, chosen: Segment, others: list[Segment]) -> None:
    """The case in its phase 1 segment or, at a small cost, in another open one of the day."""
    m, c, dur = d.model, case.case, case.duration
    places = _places(facts, case, [chosen, *others])
    if not places:
        return
    domain = Domain.from_intervals([list(i) for _, dom in places for i in _pairs(dom)])
    start = m.new_int_var_from_domain(domain, f"s{case.index}")
    present = m.new_bool_var(f"p{case.index}")
    d.starts[case.index], d.present[case.index] = start, present
    d.domains[case.index] = domain
    _room_choice(facts, d, case, places, chosen)
    d.people[case.surgeon].append(m.new_optional_fixed_size_interval_var(start, dur, present, "sg"))
    d.minutes[case.surgeon].append(dur * present)
    # Mandatory cases are not forced here: one that does not fit must not cost the whole day.
    w = facts.problem.objective_weights
    drop = MANDATORY_DROP if case.mandatory else case.unscheduled_cost
    d.costs.append((drop + w.idle_minute * case.occupied + 1) * (1 - present))
    _booked_start(facts, d, case, chosen, start)
    if case.delay_cost:  # when absent the start still has a value: a constant, no incentive
        d.costs.append(case.delay_cost * start)
    low = min(seg.start for seg, _ in places) + c.setup_minutes
    high = max(seg.end for seg, _ in places) - c.cleanup_minutes - dur
    _team_and_units(facts, d, case, low, high)


def _places(facts: Facts, case: CaseFacts, segments: list[Segment]) -> list[tuple[Segment, Domain]]:
    """Each segment with the starts its surgeon can make there."""
    places = []
    for seg in segments:
        low = seg.start + case.setup
        high = seg.end - case.case.cleanup_minutes - case.duration
        domain = _starts_within(facts.staff_windows[case.surgeon], case.duration, low, high)
        if not domain.is_empty():
            places.append((seg, domain))
    return places


def _room_choice(
    facts: Facts,
    d: _Day,
    case: CaseFacts,
    places: list[tuple[Segment, Domain]],
    chosen: Segment,
) -> None:
    """One choice per room: a room open twice a day (split sessions, or cut by blocks) offers
    the starts of all its segments under one literal, so each room has one interval and one
    answer."""
    m, start = d.model, d.starts[case.index]
    moved_cost = facts.problem.objective_weights.surgeon_extra_room + 1
    by_room: dict[int, list[Domain]] = defaultdict(list)
    for seg, seg_domain in places:
        by_room[seg.room].append(seg_domain)
    here = []
    for room, domains in by_room.items():
        lit = m.new_bool_var(f"r{case.index}_{room}")
        union = Domain.from_intervals([list(i) for dom in domains for i in _pairs(dom)])
        m.add_linear_expression_in_domain(start, union).only_enforce_if(lit)
        d.rooms[room].append(
            m.new_optional_fixed_size_interval_var(start - case.setup, case.occupied, lit, "r")
        )
        d.room_of[case.index, room] = lit
        here.append(lit)
        if room != chosen.room:
            d.costs.append(moved_cost * lit)
    m.add(sum(here) == d.present[case.index])


def _team_and_units(facts: Facts, d: _Day, case: CaseFacts, low: int, high: int) -> None:
    m, start, present = d.model, d.starts[case.index], d.present[case.index]
    roles_of: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for role, count in case.roles:
        picked: dict[int, cp_model.IntVar] = {}
        for person in facts.staff_for(role, case.surgeon):
            if _can_start(facts.staff_windows[person], case, low, high) is not None:
                picked[person] = m.new_bool_var(f"a{case.index}_{role.value}_{person}")
        m.add(sum(picked.values()) == count * present)
        for person, var in picked.items():
            roles_of[person].append(var)
    for person, chosen in roles_of.items():  # someone with two roles fills one of them
        _person(facts, d, case, person, start, sum(chosen), low, high)
    for unit_type in case.unit_types:
        units = [
            _unit(facts, d, case, unit, start, low, high) for unit in facts.units_for(unit_type)
        ]
        m.add(sum(v for v in units if v is not None) == present)


def _can_start(windows: list[Window], case: CaseFacts, low: int, high: int) -> Domain | None:
    domain = _starts_within(windows, case.duration, low, high)
    return None if domain.is_empty() else domain


def _pairs(domain: Domain) -> list[tuple[int, int]]:
    flat = domain.flattened_intervals()
    return list(zip(flat[::2], flat[1::2], strict=True))


def _booked_start(
    facts: Facts, d: _Day, case: CaseFacts, seg: Segment, start: cp_model.IntVar
) -> None:
    b = case.booked
    if b is None or (b.room, b.day) != (seg.room, seg.day):
        return
    kept = d.model.new_bool_var("kept")
    d.model.add(start == b.start).only_enforce_if(kept)
    d.model.add_implication(kept, d.present[case.index])  # left out is moved too: it pays
    d.costs.append(case.move_cost * (1 - kept))


def _person(
    facts: Facts,
    d: _Day,
    case: CaseFacts,
    person: int,
    start: cp_model.IntVar,
    roles: cp_model.LinearExprT,
    low: int,
    high: int,
) -> None:
    """A person on the team in one of the roles they may fill: within their time, at once."""
    m = d.model
    chosen = m.new_bool_var(f"a{case.index}_{person}")
    m.add(chosen == roles)
    d.staff[case.index, person] = chosen
    domain = _starts_within(facts.staff_windows[person], case.duration, low, high)
    m.add_linear_expression_in_domain(start, domain).only_enforce_if(chosen)
    d.people[person].append(
        m.new_optional_fixed_size_interval_var(start, case.duration, chosen, "st")
    )
    d.minutes[person].append(case.duration * chosen)


def _unit(
    facts: Facts, d: _Day, case: CaseFacts, unit: int, start: cp_model.IntVar, low: int, high: int
) -> cp_model.IntVar | None:
    domain = _starts_within(facts.unit_windows[unit], case.duration, low, high)
    if domain.is_empty():
        return None
    m = d.model
    chosen = m.new_bool_var(f"u{case.index}_{unit}")
    d.units[case.index, unit] = chosen
    m.add_linear_expression_in_domain(start, domain).only_enforce_if(chosen)
    size = case.duration + facts.unit_turnaround[unit]
    d.machines[unit].append(m.new_optional_fixed_size_interval_var(start, size, chosen, "u"))
    return chosen


def _read(facts: Facts, d: _Day, solver: cp_model.CpSolver) -> dict[int, Placement]:
    placed = {}
    for c, start_var in d.starts.items():
        if not solver.value(d.present[c]):
            continue
        start = solver.value(start_var)
        staff = tuple(p for (case, p), v in d.staff.items() if case == c and solver.value(v))
        units = tuple(u for (case, u), v in d.units.items() if case == c and solver.value(v))
        room = next(r for (case, r), v in d.room_of.items() if case == c and solver.value(v))
        placed[c] = Placement(c, room, start, start + facts.cases[c].duration, staff, units)
    return placed

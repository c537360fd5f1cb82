"""The search from the best plan (windows of days planned again), phase 1's hint when its search
finds nothing, the cost-first fit that feeds it, and the long-horizon family it is measured on."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import timedelta

from contracts.planning import ObjectiveWeights
from contracts.vocabulary import SurgeryPriority
from optimizer_service.domain import assignment, neighbourhoods
from optimizer_service.domain.baseline import greedy_placements
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.decomposition import Search, _rank, _sequence, repair
from optimizer_service.domain.decomposition import segment_choice as choice_of
from optimizer_service.domain.neighbourhoods import improve
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import optimize
from optimizer_service.domain.preparation import prepare
from optimizer_service.domain.scoring import score
from optimizer_service.instances import long_horizon
from ortools.sat.python import cp_model

from tests.unit.optimizer.builders import case, person, problem, room


def small_long_horizon(seconds: float = 3.0):
    return long_horizon(rooms=2, surgeons=6, cases=40, days=14, time_limit_seconds=seconds)


def test_the_long_horizon_family_gives_daily_maxima_by_date_and_prices_room_switches():
    p = long_horizon()
    assert p.horizon.end_date - p.horizon.start_date == timedelta(days=27)
    surgeons = [s for s in p.staff if s.max_minutes_by_date]
    assert len(surgeons) >= 24
    assert {m for s in surgeons for m in s.max_minutes_by_date.values()} >= {120, 180, 240}
    assert p.objective_weights.surgeon_extra_room >= 5 * p.objective_weights.unscheduled_elective
    open_days = [len(r.open_intervals) for r in p.rooms]
    assert max(open_days) < 20  # some weekdays closed in every room


def test_the_optimizer_plans_a_long_horizon_within_its_time_and_the_checker_accepts_it():
    p = small_long_horizon()
    outcome = optimize(p, workers=1)
    assert isinstance(outcome, Solved)
    assert check_plan(p, outcome.plan) == []
    assert outcome.report.best_bound <= outcome.report.objective
    assert outcome.report.wall_time_seconds <= p.time_limit_seconds + 1


def test_the_search_never_returns_a_plan_worse_than_the_one_it_starts_from():
    p = small_long_horizon()
    prepared = prepare(p)
    facts = prepared.facts
    start = greedy_placements(prepared)
    found = improve(
        prepared,
        start,
        deadline=Deadline.after(3),
        rank=lambda plan: _rank(facts, plan),
        resequence=lambda kept, choice, until: repair(
            prepared,
            _sequence(prepared, choice, start, Search(until, 1, 0), start=kept),
            choice,
            until,
        ),
        workers=1,
        seed=0,
    )
    assert _rank(facts, found) <= _rank(facts, start)
    assert score(facts, found).objective < score(facts, start).objective


def test_a_cost_first_fit_keeps_a_surgeon_in_one_room_when_switching_rooms_is_dear():
    s1 = person()
    rooms = [room(days=2), room(days=2, hours=(8, 16))]
    # the first case fills the short room's morning; the second fits the long room at noon
    cases = [case(s1, 240), case(s1, 120)]
    weights = ObjectiveWeights(idle_minute=0, surgeon_extra_room=500)
    prepared = prepare(problem(cases, rooms, [s1], days=2, objective_weights=weights))
    facts = prepared.facts

    def switches(placements) -> int:
        rooms_of = defaultdict(set)
        for p in placements.values():
            rooms_of[facts.cases[p.case].surgeon, facts.timeline.day_of(p.start)].add(p.room)
        return sum(len(r) - 1 for r in rooms_of.values())

    costed = greedy_placements(prepared, by_cost=True)
    assert switches(costed) == 0
    assert len(costed) == len(cases)
    assert score(facts, costed).objective < score(facts, greedy_placements(prepared)).objective


def test_phase_one_keeps_its_whole_hint_when_its_search_has_no_time_to_find_anything():
    prepared = prepare(long_horizon(time_limit_seconds=5))
    facts = prepared.facts
    hint = choice_of(facts, greedy_placements(prepared))
    built = assignment._build(facts, prepared.locked, hint, Deadline.never())
    solver = assignment.new_solver(0.0, 1, 0)
    assert solver.solve(built.model) == cp_model.UNKNOWN
    found = assignment._hinted(facts, built, hint, solver)
    assert found is not None
    assert found.choice == hint
    assert found.bound == 0
    without_mandatory = {c: s for c, s in hint.items() if not facts.cases[c].mandatory}
    assert assignment._hinted(facts, built, without_mandatory, solver) is None


def test_the_first_lap_of_windows_covers_every_day_once_and_the_next_lap_shifts_by_half():
    starts = list(itertools.islice(neighbourhoods._window_starts(28, 5), 12))
    assert starts[:6] == [0, 5, 10, 15, 20, 25]
    assert starts[6:] == [2, 7, 12, 17, 22, 27]
    assert list(itertools.islice(neighbourhoods._window_starts(5, 5), 2)) == [0, 0]


def test_a_window_offers_a_place_to_a_moving_slice_of_the_left_out_cases_dearest_first():
    s1 = person()
    urgent = case(s1, 60, priority=SurgeryPriority.URGENT)
    electives = [case(s1, 60) for _ in range(2 * neighbourhoods.LEFT_OUT_MAX)]
    prepared = prepare(problem([urgent, *electives], [room()], [s1]))
    left_out = {c.index: c.segments for c in prepared.facts.cases}
    rounds = [neighbourhoods._offered(prepared, left_out, r) for r in range(2)]
    assert all(len(offered) == neighbourhoods.LEFT_OUT_MAX for offered in rounds)
    assert all(0 in offered for offered in rounds)  # the urgent case, dearest, every round
    assert set(rounds[0]) - {0} != set(rounds[1]) - {0}
    few = dict(list(left_out.items())[:3])
    assert neighbourhoods._offered(prepared, few, 5) == few

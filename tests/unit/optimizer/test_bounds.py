"""The bounds behind the reported gap: exact pattern pricing, subset sums, and proven optima."""

from __future__ import annotations

import itertools
import random

from contracts.planning import SolverStatus
from optimizer_service.domain.capacities import fullest
from optimizer_service.domain.knapsack import Item, cheapest_pattern
from optimizer_service.domain.patterns import pattern_bound
from optimizer_service.domain.preparation import prepare

from tests.unit.optimizer.builders import case, person, problem, room, unit
from tests.unit.optimizer.test_planner import placed, solved


def brute_force(items: list[Item], capacity: int, charges: dict[int, float]) -> float:
    def cost(chosen) -> float:
        if sum(i.minutes for i in chosen) > capacity:
            return float("inf")
        return sum(i.cost for i in chosen) + sum(charges[g] for g in {i.group for i in chosen})

    subsets = (s for k in range(len(items) + 1) for s in itertools.combinations(items, k))
    return min(cost(s) for s in subsets)


def test_cheapest_pattern_is_exact_with_surgeon_charges():
    rng = random.Random(7)
    for _ in range(200):
        items = [
            Item(i, rng.choice([15, 30, 45, 60, 90]), -rng.uniform(0, 10), rng.randrange(3))
            for i in range(rng.randint(1, 7))
        ]
        charges = {g: rng.uniform(0, 6) for g in range(3)}
        capacity = rng.choice([60, 120, 240])
        cost, cases = cheapest_pattern(items, capacity, charges)
        assert abs(cost - brute_force(items, capacity, charges)) < 1e-9
        chosen = [i for i in items if i.case in cases]
        assert abs(cost - brute_force(chosen, capacity, charges)) < 1e-9


def test_a_surgeons_charge_can_outweigh_the_case():
    items = [Item(0, 60, -5.0, group=1), Item(1, 60, -1.0, group=2)]
    assert cheapest_pattern(items, 120, {1: 0.0, 2: 2.0}) == (-5.0, (0,))


def test_fullest_finds_the_largest_subset_sum_within_the_capacity():
    assert fullest([200, 150, 100], 420) == 350
    assert fullest([200, 220], 420) == 420
    assert fullest([], 420) == 0


def test_pattern_bound_meets_the_known_optimum_of_a_small_knapsack():
    s = person()
    p = problem([case(s, 120), case(s, 120), case(s, 200)], [room()], [s])
    facts = prepare(p).facts
    # one elective left out (100) and one room-day (60); the LP cannot do better by halves
    assert pattern_bound(facts, {}, seconds=5) == 160


def test_phase_one_counts_equipment_turnaround_so_the_bound_is_proven():
    s1, s2, arm = person(), person(), unit(turnaround_minutes=50)
    cases = [case(s, 100, equipment_types=("c_arm",)) for s in (s1, s2)]
    outcome = solved(problem(cases, [room(), room()], [s1, s2], [arm]))
    # 100 + 50 + 100 minutes do not fit in the four open hours: one case, one room-day
    assert len(placed(outcome)) == 1
    assert outcome.report.objective == 160
    assert outcome.report.status == SolverStatus.OPTIMAL

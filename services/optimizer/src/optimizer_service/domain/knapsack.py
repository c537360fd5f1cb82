"""The cheapest set of cases that fits a segment: a 0/1 knapsack with a charge per surgeon used.

Exact, by dynamic programming over the minutes in steps of their greatest common divisor.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

INF = float("inf")


@dataclass(frozen=True, slots=True)
class Item:
    case: int
    minutes: int
    cost: float  # negative: worth taking
    group: int  # the surgeon; a group costs its charge once if any of its items is taken


_Step = tuple[Item | int, list[bool]]  # an item and where it was taken; a group and where opened


def cheapest_pattern(
    items: list[Item], capacity: int, charges: dict[int, float]
) -> tuple[float, tuple[int, ...]]:
    """The least total cost (items plus charges of the groups used) within the capacity."""
    items = [i for i in items if i.minutes <= capacity]
    if not items:
        return 0.0, ()
    step = math.gcd(capacity, *(i.minutes for i in items))
    size = capacity // step + 1
    best = [0.0] + [INF] * (size - 1)  # best[w]: least cost of exactly w steps
    trail: list[_Step] = []
    groups = groupby(sorted(items, key=lambda i: i.group), key=lambda i: i.group)
    for group, members in groups:
        opened = [v + charges.get(group, 0.0) for v in best]
        for item in members:
            w = item.minutes // step
            took = [False] * size
            for at in range(size - 1, w - 1, -1):
                if opened[at - w] + item.cost < opened[at]:
                    opened[at] = opened[at - w] + item.cost
                    took[at] = True
            trail.append((item, took))
        chose = [opened[at] < best[at] for at in range(size)]
        best = [min(a, b) for a, b in zip(best, opened, strict=True)]
        trail.append((group, chose))
    at = min(range(size), key=best.__getitem__)
    return best[at], _backtrack(trail, at, step)


def _backtrack(trail: list[_Step], at: int, step: int) -> tuple[int, ...]:
    taken: list[int] = []
    inside: defaultdict[int, bool] = defaultdict(bool)
    for what, flags in reversed(trail):
        if isinstance(what, int):  # a group's step: whether it was opened at this weight
            inside[what] = flags[at]
        elif inside[what.group] and flags[at]:
            taken.append(what.case)
            at -= what.minutes // step
    return tuple(sorted(taken))

"""How the waiting list orders cases, without I/O: by rank, never alphabetically."""

from __future__ import annotations

from typing import get_args

import pytest
from contracts.vocabulary import SurgeryPriority
from scheduling_service.domain.waiting_list import PRIORITY_RANK, Order, SortKey, ordering


def test_ranks_emergency_before_urgent_before_elective() -> None:
    ranked = sorted(SurgeryPriority, key=PRIORITY_RANK.__getitem__)
    assert ranked == [SurgeryPriority.EMERGENCY, SurgeryPriority.URGENT, SurgeryPriority.ELECTIVE]
    assert ranked != sorted(SurgeryPriority)  # alphabetical would put elective first


def test_every_priority_has_a_rank() -> None:
    assert set(PRIORITY_RANK) == set(SurgeryPriority)


@pytest.mark.parametrize("sort", get_args(SortKey))
def test_every_sort_key_has_an_ordering(sort: str) -> None:
    assert ordering(sort)


def test_priority_ties_go_to_the_case_due_first_with_undated_ones_last() -> None:
    assert ordering("priority")[:2] == (
        Order("priority_rank"),
        Order("due_date", nulls_last=True),
    )


def test_descending_priority_reverses_only_the_rank() -> None:
    first, *rest = ordering("-priority")
    assert first == Order("priority_rank", descending=True)
    assert tuple(rest) == ordering("priority")[1:]


def test_undated_cases_come_last_whichever_way_due_dates_sort() -> None:
    assert ordering("due_date")[0] == Order("due_date", nulls_last=True)
    assert ordering("-due_date")[0] == Order("due_date", descending=True, nulls_last=True)


def test_refuses_a_sort_key_it_does_not_know() -> None:
    with pytest.raises(KeyError):
        ordering("patient_mrn")

"""A waiting-list page's statements are built once per distinct page asked and kept
(`cases/surgeries.py _page_statements`): whatever was asked before, a kept statement is the one
built afresh for this page, these filters and this reader (the key holds all it depends on)."""

from __future__ import annotations

import typing
import uuid
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from scheduling_service.cases import surgeries
from scheduling_service.cases.surgeries import SurgeryFilter
from scheduling_service.domain import access
from scheduling_service.domain.waiting_list import SortKey
from sqlalchemy.dialects import postgresql

PEOPLE = [uuid.UUID(int=n) for n in range(1, 4)]
ROLES = ("admin", "coordinator", "surgeon", "anaesthetist", "nurse", "viewer")

filters = st.builds(
    SurgeryFilter,
    statuses=st.lists(st.sampled_from(["requested", "scheduled", "postponed"]), max_size=2).map(
        tuple
    ),
    priorities=st.lists(st.sampled_from(["elective", "urgent", "emergency"]), max_size=2).map(
        tuple
    ),
    surgeon_id=st.none() | st.sampled_from(PEOPLE),
    specialty=st.none() | st.sampled_from(["cardiac", "ortho"]),
    due_before=st.none() | st.dates(date(2026, 1, 1), date(2026, 1, 3)),
    due_after=st.none() | st.dates(date(2026, 1, 1), date(2026, 1, 3)),
    waiting=st.none() | st.booleans(),
    search=st.none() | st.sampled_from(["hip", "MRN1", "50%_"]),
    sort=st.sampled_from(list(typing.get_args(SortKey))),
)
readers = st.builds(
    access.Reader,
    user_id=st.sampled_from(PEOPLE),
    roles=st.frozensets(st.sampled_from(ROLES), min_size=1, max_size=2),
    staff_ids=st.frozensets(st.sampled_from(PEOPLE), max_size=2),
)


def _said(statement) -> tuple[str, dict]:
    compiled = statement.compile(dialect=postgresql.dialect())
    return str(compiled), compiled.params


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(filters, min_size=1, max_size=3),
    st.lists(readers, min_size=1, max_size=3),
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from([0, 20])), max_size=12
    ),
)
def test_a_kept_page_statement_is_the_one_built_afresh(
    wheres: list[SurgeryFilter], whos: list[access.Reader], asked: list[tuple[int, int, int]]
) -> None:
    """Few filters and readers, asked in any order: a page comes back asked by someone else."""
    surgeries._page_statements.cache_clear()
    for w, r, offset in asked:
        where, who = wheres[w % len(wheres)], whos[r % len(whos)]
        kept = surgeries._page_statements(where, who, offset, 20)
        fresh = surgeries._page_statements.__wrapped__(where, who, offset, 20)
        assert [_said(s) for s in kept] == [_said(s) for s in fresh]


def test_the_same_page_asked_again_is_not_built_again() -> None:
    surgeries._page_statements.cache_clear()
    who = access.Reader(PEOPLE[0], frozenset({"coordinator"}))
    first = surgeries._page_statements(SurgeryFilter(waiting=True), who, 0, 50)
    again = surgeries._page_statements(SurgeryFilter(waiting=True), who, 0, 50)
    other = surgeries._page_statements(SurgeryFilter(waiting=True), who, 50, 50)
    assert again is first and other is not first

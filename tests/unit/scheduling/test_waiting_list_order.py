"""The waiting list's default order is the index's expression, so a page is read from it."""

from __future__ import annotations

from scheduling_service.db.tables import PRIORITY_ORDER, priority_rank, surgery_requests
from scheduling_service.domain.waiting_list import PRIORITY_RANK
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex


def test_the_index_ranks_priorities_as_the_waiting_list_does() -> None:
    assert list(PRIORITY_ORDER) == [str(p) for p in sorted(PRIORITY_RANK, key=PRIORITY_RANK.get)]


def test_the_order_is_written_in_literals_as_the_index_is() -> None:
    """A bound parameter in the ORDER BY would keep PostgreSQL from matching the index."""
    dialect = postgresql.dialect()
    ordered = select(surgery_requests.c.surgery_id).order_by(priority_rank)
    compiled = ordered.compile(dialect=dialect)
    assert compiled.params == {}
    rank = str(compiled).split("ORDER BY ")[1].replace("surgery_requests.", "")
    (index,) = (i for i in surgery_requests.indexes if i.name.endswith("priority_order"))
    assert f"({rank}, due_date, created_at, surgery_id)" in str(
        CreateIndex(index).compile(dialect=dialect)
    )

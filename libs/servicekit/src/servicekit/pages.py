"""Paginated collections: every list endpoint answers `{items, total, offset, limit}`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, FromClause, Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(ge=0, description="How many items match the filters, over all pages.")
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class PageRequest(BaseModel):
    offset: int
    limit: int


async def page_request(  # async: no worker-thread hop (deps.py)
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
) -> PageRequest:
    return PageRequest(offset=offset, limit=limit)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]


def containing(text: str) -> str:
    """A LIKE pattern (escape character `\\`) matching values that contain `text` literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ordering(sort: str, sortable: dict[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    """`name` sorts ascending, `-name` descending; the key must be one of `sortable`."""
    column = sortable[sort.removeprefix("-")]
    return column.desc() if sort.startswith("-") else column.asc()


async def fetch_page(
    session: AsyncSession,
    table: FromClause,
    conditions: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any]],
    page: PageRequest,
) -> tuple[list[Row[Any]], int]:
    """One page of `table`'s rows matching every condition, and how many match in all.

    `order_by` must end with a unique column, so that pages neither repeat nor skip rows. The
    matches are counted only when the page cannot tell: a page that is not full, and not empty
    past the first, ends with the last match (a list that fits one page: one statement, not two).
    """
    rows = (
        await session.execute(
            select(table)
            .where(*conditions)
            .order_by(*order_by)
            .offset(page.offset)
            .limit(page.limit)
        )
    ).all()
    if len(rows) < page.limit and (rows or page.offset == 0):
        return list(rows), page.offset + len(rows)
    total = await session.scalar(select(func.count()).select_from(table).where(*conditions))
    return list(rows), int(total or 0)

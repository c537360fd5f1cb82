"""Paginated collections: every list endpoint answers `{items, total, offset, limit}`."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

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


def page_request(
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
) -> PageRequest:
    return PageRequest(offset=offset, limit=limit)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]

"""A page of rows and how many match in all: the total is exact for every page, and counted
with a statement of its own only when the page cannot tell it."""

from __future__ import annotations

import uuid

import pytest
from servicekit.pages import PageRequest, fetch_page
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.integration.servicekit.effects import effects

pytestmark = pytest.mark.integration

MATCHES = 7


async def test_every_page_has_the_exact_total_and_counts_only_when_it_cannot_tell(
    engine: AsyncEngine,
) -> None:
    mine = uuid.uuid4()
    async with engine.begin() as conn:
        rows = [{"event_id": uuid.uuid4(), "user_id": mine} for _ in range(MATCHES)]
        rows.append({"event_id": uuid.uuid4(), "user_id": uuid.uuid4()})  # not a match
        await conn.execute(effects.insert(), rows)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with engine.connect() as conn:
            session = AsyncSession(bind=conn)
            ordered = [effects.c.id]
            everything, _ = await fetch_page(
                session,
                effects,
                [effects.c.user_id == mine],
                ordered,
                PageRequest(offset=0, limit=50),
            )
            for offset, limit, counted in (
                (0, 50, False),  # one page holds them all
                (0, 7, True),  # full: more may follow
                (0, 3, True),
                (3, 3, True),
                (6, 3, False),  # the last, not full
                (7, 3, True),  # empty past the end: cannot tell
                (20, 3, True),
            ):
                statements.clear()
                got, total = await fetch_page(
                    session,
                    effects,
                    [effects.c.user_id == mine],
                    ordered,
                    PageRequest(offset=offset, limit=limit),
                )
                assert total == MATCHES, (offset, limit)
                assert got == everything[offset : offset + limit]
                assert any("count(" in s for s in statements) is counted, (offset, limit)
            await session.close()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)


async def test_an_empty_first_page_has_a_total_of_nothing(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        session = AsyncSession(bind=conn)
        got, total = await fetch_page(
            session,
            effects,
            [effects.c.user_id == uuid.uuid4()],
            [effects.c.id],
            PageRequest(offset=0, limit=10),
        )
        await session.close()
    assert (got, total) == ([], 0)

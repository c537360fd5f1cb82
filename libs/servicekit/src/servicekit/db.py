"""The database engine and the unit of work every change goes through."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from servicekit.db_connections import ConnectOptions
from servicekit.messaging.outbox import OutboxWriter

__all__ = ["ConnectOptions", "UnitOfWork", "asyncpg_dsn", "create_engine"]


def create_engine(
    url: str | URL,
    *,
    pool_size: int = 10,
    search_path: str | None = None,
    options: ConnectOptions | None = None,
) -> AsyncEngine:
    options = options or ConnectOptions()
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # A failed statement's parameters (an MRN, a name) never reach an error's text or a log.
        hide_parameters=True,
        connect_args=options.asyncpg_arguments(search_path),
    )


def asyncpg_dsn(url: str | URL) -> str:
    """The plain libpq URL of a SQLAlchemy asyncpg URL, for connections asyncpg opens itself."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class UnitOfWork:
    """One transaction: the change and the events it causes commit together, or neither does."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str) -> None:
        self._sessions = sessions
        self.producer = producer

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        self.outbox = OutboxWriter(self.session, producer=self.producer)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

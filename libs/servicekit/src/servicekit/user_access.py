"""Each service's local view of who may act: fed by auth events, so a deactivation reaches it."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from contracts.events.auth_users import UserDeactivated, UserRegistered, UserRolesChanged
from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicekit.auth import Principal
from servicekit.messaging.consumer import HandlerMap
from servicekit.problems import Problem

if TYPE_CHECKING:
    from servicekit.service import Runtime

USER_ACCESS = "user_access"
log = logging.getLogger(__name__)


def user_access_table(metadata: MetaData) -> Table:
    return Table(
        USER_ACCESS,
        metadata,
        Column("user_id", UUID(as_uuid=True), primary_key=True),
        Column("roles", ARRAY(Text), nullable=False),
        Column("active", Boolean, nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def register_user_access_handlers(handlers: HandlerMap, table: Table) -> HandlerMap:
    async def upsert(session: AsyncSession, user_id: Any, changed_at: Any, **values: Any) -> None:
        statement = insert(table).values(user_id=user_id, changed_at=changed_at, **values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={**values, "changed_at": changed_at, "updated_at": func.now()},
            )
        )

    async def on_registered(session: AsyncSession, event: UserRegistered, env: Envelope) -> None:
        await upsert(
            session,
            event.user_id,
            env.occurred_at,
            roles=[str(r) for r in event.roles],
            active=event.active,
        )

    async def on_roles_changed(
        session: AsyncSession, event: UserRolesChanged, env: Envelope
    ) -> None:
        roles = [str(r) for r in event.roles]
        # A role change for a user we never saw registered still tells us they exist and act.
        await upsert(session, event.user_id, env.occurred_at, roles=roles, active=True)

    async def on_deactivated(session: AsyncSession, event: UserDeactivated, env: Envelope) -> None:
        statement = insert(table).values(
            user_id=event.user_id, roles=[], active=False, changed_at=env.occurred_at
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={"active": False, "changed_at": env.occurred_at, "updated_at": func.now()},
            )
        )

    return (
        handlers.on(UserRegistered, on_registered)
        .on(UserRolesChanged, on_roles_changed)
        .on(UserDeactivated, on_deactivated)
    )


class UserAccessGuard:
    """Refuses the unexpired tokens of deactivated users, and tokens older than a role change.

    The whole table is small (one row per user) and is read again at most once per
    `refresh_seconds`, so a deactivation takes effect within that interval of its event's arrival.
    """

    def __init__(
        self,
        table: Table,
        sessions: async_sessionmaker[AsyncSession],
        *,
        refresh_seconds: float = 1.0,
    ) -> None:
        self._query = select(table.c.user_id, table.c.active, table.c.changed_at)
        self._sessions = sessions
        self._refresh_seconds = refresh_seconds
        self._status: dict[str, tuple[bool, int]] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refusal(self, principal: Principal) -> str | None:
        await self._refresh_if_due()
        status = self._status.get(principal.user_id)
        if status is None:
            return None  # not heard of yet: the signature is all we know
        active, changed_at = status
        if not active:
            return "the user is deactivated"
        if principal.issued_at < changed_at:
            return "the user's roles changed after the token was issued"
        return None

    async def _refresh_if_due(self) -> None:
        if time.monotonic() - self._loaded_at < self._refresh_seconds:
            return
        async with self._lock:
            if time.monotonic() - self._loaded_at < self._refresh_seconds:
                return
            try:
                async with self._sessions() as session:
                    rows = (await session.execute(self._query)).all()
            except Exception as exc:
                # Fail closed, but as an outage: the token may well be fine, so no 401.
                log.warning("user access could not be read: %s", exc)
                raise Problem(
                    503,
                    "Access rights cannot be checked right now; retry shortly.",
                    headers={"Retry-After": "2"},
                ) from exc
            # Token `iat` is whole seconds: compare against the change's second.
            self._status = {
                str(row.user_id): (row.active, int(row.changed_at.timestamp())) for row in rows
            }
            self._loaded_at = time.monotonic()


def user_access_guard(runtime: Runtime) -> UserAccessGuard | None:
    """The guard of a service whose tables include the `user_access` read model (or a view)."""
    table = runtime.service.metadata.tables.get(USER_ACCESS)
    if table is None:
        return None
    refresh = runtime.settings.access_refresh_seconds
    return UserAccessGuard(table, runtime.sessions, refresh_seconds=refresh)

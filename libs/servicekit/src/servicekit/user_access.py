"""Each service's local view of who may act: fed by auth events, so a revocation reaches it.

Two tables: `user_access` (one row per user: active or not, and `changed_at`, before which
every token of the user is void: a role change, a deactivation, a reactivation, a password
reset) and `revoked_sessions` (sessions ended early, kept only until their last token expires).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from contracts.envelope import Envelope
from contracts.events.auth_users import (
    SessionRevoked,
    UserDeactivated,
    UserReactivated,
    UserRegistered,
    UserRolesChanged,
    UserTokensRevoked,
)
from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicekit.auth import Principal
from servicekit.messaging.consumer import HandlerMap
from servicekit.problems import Problem

if TYPE_CHECKING:
    from servicekit.service import Runtime, SettingsT

USER_ACCESS = "user_access"
REVOKED_SESSIONS = "revoked_sessions"
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


def revoked_sessions_table(metadata: MetaData) -> Table:
    return Table(
        REVOKED_SESSIONS,
        metadata,
        Column("session_id", UUID(as_uuid=True), primary_key=True),
        Column("user_id", UUID(as_uuid=True), nullable=False),
        # After this no token of the session is alive: the row may go.
        Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    )


async def remember_revoked_session(
    session: AsyncSession, table: Table, *, session_id: Any, user_id: Any, expires_at: Any
) -> None:
    """Records a revoked session and forgets those whose tokens have all expired."""
    # Rows another transaction is purging are left to it: two purges never wait on each other.
    expired = (
        select(table.c.session_id)
        .where(table.c.expires_at < func.now())
        .with_for_update(skip_locked=True)
    )
    await session.execute(delete(table).where(table.c.session_id.in_(expired)))
    statement = insert(table).values(session_id=session_id, user_id=user_id, expires_at=expires_at)
    await session.execute(statement.on_conflict_do_nothing(index_elements=[table.c.session_id]))


def register_user_access_handlers(handlers: HandlerMap, table: Table) -> HandlerMap:
    """The handlers of both tables; `revoked_sessions` must be declared beside `table`."""
    revoked = table.metadata.tables[REVOKED_SESSIONS]

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

    async def on_reactivated(session: AsyncSession, event: UserReactivated, env: Envelope) -> None:
        # The change moves `changed_at`: tokens from before the deactivation stay void.
        roles = [str(r) for r in event.roles]
        await upsert(session, event.user_id, event.reactivated_at, roles=roles, active=True)

    async def on_tokens_revoked(
        session: AsyncSession, event: UserTokensRevoked, env: Envelope
    ) -> None:
        statement = insert(table).values(
            user_id=event.user_id, roles=[], active=True, changed_at=event.issued_before
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={
                    "changed_at": func.greatest(table.c.changed_at, event.issued_before),
                    "updated_at": func.now(),
                },
            )
        )

    async def on_session_revoked(
        session: AsyncSession, event: SessionRevoked, env: Envelope
    ) -> None:
        await remember_revoked_session(
            session,
            revoked,
            session_id=event.session_id,
            user_id=event.user_id,
            expires_at=event.expires_at,
        )

    return (
        handlers.on(UserRegistered, on_registered)
        .on(UserRolesChanged, on_roles_changed)
        .on(UserDeactivated, on_deactivated)
        .on(UserReactivated, on_reactivated)
        .on(UserTokensRevoked, on_tokens_revoked)
        .on(SessionRevoked, on_session_revoked)
    )


class UserAccessGuard:
    """Refuses tokens of deactivated users, of revoked sessions, and tokens issued before the
    user's last access change (a role change, a reactivation, a password reset).

    Both tables are small (one row per user; revoked sessions only until their tokens expire)
    and are read again at most once per `refresh_seconds`, so a revocation takes effect within
    that interval of its event's arrival. The answer is a short reason code, fit for a metric.
    """

    def __init__(
        self,
        table: Table,
        sessions: async_sessionmaker[AsyncSession],
        *,
        revoked: Table | None = None,
        refresh_seconds: float = 1.0,
    ) -> None:
        self._query = select(table.c.user_id, table.c.active, table.c.changed_at)
        self._revoked_query = (
            None
            if revoked is None
            else select(revoked.c.session_id).where(revoked.c.expires_at > func.now())
        )
        self._sessions = sessions
        self._refresh_seconds = refresh_seconds
        self._status: dict[str, tuple[bool, int]] = {}
        self._revoked_sessions: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refusal(self, principal: Principal) -> str | None:
        await self._refresh_if_due()
        if principal.session_id is not None and principal.session_id in self._revoked_sessions:
            return "session_revoked"
        status = self._status.get(principal.user_id)
        if status is None:
            return None  # not heard of yet: the signature is all we know
        active, changed_at = status
        if not active:
            return "user_deactivated"
        if principal.issued_at < changed_at:
            return "issued_before_access_change"
        return None

    async def load(self) -> None:
        """Reads the tables now, as the first request would (a worker's start:
        `servicekit.warmup`); raises `Problem` 503 if they cannot be read."""
        await self._refresh_if_due()

    async def _refresh_if_due(self) -> None:
        if time.monotonic() - self._loaded_at < self._refresh_seconds:
            return
        async with self._lock:
            if time.monotonic() - self._loaded_at < self._refresh_seconds:
                return
            try:
                async with self._sessions() as session:
                    rows = (await session.execute(self._query)).all()
                    revoked = (
                        []
                        if self._revoked_query is None
                        else (await session.scalars(self._revoked_query)).all()
                    )
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
            self._revoked_sessions = frozenset(str(session_id) for session_id in revoked)
            self._loaded_at = time.monotonic()


def user_access_guard(runtime: Runtime[SettingsT]) -> UserAccessGuard | None:
    """The guard of a service whose tables include the `user_access` read model (or a view)."""
    tables = runtime.service.metadata.tables
    if (table := tables.get(USER_ACCESS)) is None:
        return None
    refresh = runtime.settings.access_refresh_seconds
    revoked = tables.get(REVOKED_SESSIONS)
    return UserAccessGuard(table, runtime.sessions, revoked=revoked, refresh_seconds=refresh)

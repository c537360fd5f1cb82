"""Each service's local view of who may act: fed by auth events, so a deactivation reaches it."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Envelope
from contracts.events.auth_users import UserDeactivated, UserRegistered, UserRolesChanged
from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.messaging.consumer import HandlerMap


def user_access_table(metadata: MetaData) -> Table:
    return Table(
        "user_access",
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

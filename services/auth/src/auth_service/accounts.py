"""Account changes: each writes the user and the event announcing it in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from contracts.events.auth_users import UserRegistered
from servicekit.db import UnitOfWork
from sqlalchemy import func, insert, select

from auth_service.db.tables import users
from auth_service.domain.passwords import hash_password


async def email_taken(uow: UnitOfWork, email: str) -> bool:
    found = await uow.session.scalar(
        select(users.c.user_id).where(func.lower(users.c.email) == email.lower())
    )
    return found is not None


async def register_user(
    uow: UnitOfWork, *, email: str, display_name: str, roles: Iterable[str], password: str
) -> uuid.UUID:
    """Adds the user and its `UserRegistered` event; the caller commits."""
    user_id = uuid.uuid4()
    role_list = sorted(set(roles))
    await uow.session.execute(
        insert(users).values(
            user_id=user_id,
            email=email,
            display_name=display_name,
            roles=role_list,
            password_hash=hash_password(password),
        )
    )
    await uow.outbox.add(
        UserRegistered(
            user_id=user_id, email=email, display_name=display_name, roles=role_list, active=True
        )
    )
    return user_id

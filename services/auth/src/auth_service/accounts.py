"""User accounts: each change writes the user, its event and its audit record in one transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from contracts.events.audit import Actor
from contracts.events.auth_users import (
    UserDeactivated,
    UserReactivated,
    UserRegistered,
    UserRolesChanged,
    UserTokensRevoked,
)
from servicekit import audit
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.etags import ensure_fresh
from servicekit.pages import PageRequest, containing, fetch_page, ordering
from servicekit.problems import Problem
from servicekit.service import Runtime
from sqlalchemy import ColumnElement, Row, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.attempts import admit_attempt, clear_attempts
from auth_service.db.tables import users
from auth_service.domain.passwords import hash_password, password_matches, policy_violations
from auth_service.sessions import revoke_user_sessions
from auth_service.settings import AuthSettings

_ADMIN_CHANGES_LOCK = 0x5EA1_0002


@dataclass(frozen=True, slots=True)
class UserFilter:
    role: str | None = None
    active: bool | None = None
    search: str | None = None  # in the email or the display name
    sort: str = "email"


SORTABLE: dict[str, ColumnElement[Any]] = {
    "email": users.c.email,
    "display_name": users.c.display_name,
    "created_at": users.c.created_at,
}


async def find_by_email(session: AsyncSession, email: str) -> Row[Any] | None:
    return (
        await session.execute(
            select(users).where(func.lower(users.c.email) == email.strip().lower())
        )
    ).first()


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> Row[Any]:
    query = select(users).where(users.c.user_id == user_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise Problem(404, f"There is no user {user_id}.")
    return row


async def list_users(
    session: AsyncSession, where: UserFilter, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    conditions: list[ColumnElement[bool]] = []
    if where.role:
        conditions.append(users.c.roles.any(where.role))
    if where.active is not None:
        conditions.append(users.c.active.is_(where.active))
    if where.search:
        pattern = containing(where.search.lower())
        conditions.append(
            func.lower(users.c.email).like(pattern, escape="\\")
            | func.lower(users.c.display_name).like(pattern, escape="\\")
        )
    order = (ordering(where.sort, SORTABLE), users.c.user_id)
    return await fetch_page(session, users, conditions, order, page)


def ensure_acceptable_password(password: str, email: str) -> None:
    if problems := policy_violations(password, email=email):
        raise Problem(422, "The password is not acceptable: " + "; ".join(problems) + ".")


async def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    roles: Iterable[str],
    password: str,
    staff_member_id: uuid.UUID | None,
    actor: Actor,
) -> Row[Any]:
    """An administrator's new user, committed; the password must meet the policy."""
    ensure_acceptable_password(password, email)
    user_id = await register_user(
        uow,
        email=email,
        display_name=display_name,
        roles=roles,
        password=password,
        staff_member_id=staff_member_id,
        actor=actor,
    )
    return await _committed(uow, user_id)


async def register_user(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    roles: Iterable[str],
    password: str,
    staff_member_id: uuid.UUID | None = None,
    actor: Actor | None = None,
) -> uuid.UUID:
    """Adds the user, its `UserRegistered` event and the audit record; the caller commits
    (the demo seed and the first administrator add users without the password policy)."""
    if await find_by_email(uow.session, email) is not None:
        raise Problem(409, f"A user with the email {email} exists already.")
    user_id = uuid.uuid4()
    role_list = sorted(set(roles))
    password_hash = await asyncio.to_thread(hash_password, password)
    # The check above answers the common case; the unique index settles a race between two.
    inserted = await uow.session.scalar(
        pg_insert(users)
        .values(
            user_id=user_id,
            email=email,
            display_name=display_name,
            roles=role_list,
            password_hash=password_hash,
            staff_member_id=staff_member_id,
            password_changed_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
        .returning(users.c.user_id)
    )
    if inserted is None:
        raise Problem(409, f"A user with the email {email} exists already.")
    await uow.outbox.add(
        UserRegistered(
            user_id=user_id,
            email=email,
            display_name=display_name,
            roles=role_list,
            staff_member_id=staff_member_id,
            active=True,
        )
    )
    await audit.record(
        uow,
        actor=actor or audit.service_actor("auth"),
        action="user.create",
        record_type="user",
        record_id=user_id,
        details={
            "roles": role_list,
            "staff_member_id": str(staff_member_id) if staff_member_id else None,
        },
    )
    return user_id


async def change_roles(
    uow: UnitOfWork, user_id: uuid.UUID, roles: Iterable[str], *, actor: Actor, if_match: str | None
) -> Row[Any]:
    user = await get_user(uow.session, user_id, lock=True)
    ensure_fresh(if_match, user.version)
    role_list = sorted(set(roles))
    if "admin" in user.roles and "admin" not in role_list:
        await _ensure_another_admin(uow.session, user_id)
    await _bump(uow.session, user_id, roles=role_list, access_changed_at=func.now())
    await uow.outbox.add(UserRolesChanged(user_id=user_id, roles=role_list))
    await audit.record(
        uow,
        actor=actor,
        action="user.roles_change",
        record_type="user",
        record_id=user_id,
        details={"from": list(user.roles), "to": role_list},
    )
    return await _committed(uow, user_id)


async def deactivate(
    uow: UnitOfWork,
    settings: AuthSettings,
    user_id: uuid.UUID,
    *,
    actor: Actor,
    if_match: str | None,
) -> Row[Any]:
    user = await get_user(uow.session, user_id, lock=True)
    ensure_fresh(if_match, user.version)
    if not user.active:
        return user
    if actor.kind == "user" and actor.id == str(user_id):
        raise Problem(409, "You cannot deactivate your own account; ask another administrator.")
    if "admin" in user.roles:
        await _ensure_another_admin(uow.session, user_id)
    now = datetime.now(UTC)
    await _bump(uow.session, user_id, active=False, access_changed_at=now)
    await revoke_user_sessions(uow, settings, user_id, reason="user_deactivated")
    await uow.outbox.add(UserDeactivated(user_id=user_id, deactivated_at=now))
    await audit.record(
        uow, actor=actor, action="user.deactivate", record_type="user", record_id=user_id
    )
    return await _committed(uow, user_id)


async def reactivate(
    uow: UnitOfWork, user_id: uuid.UUID, *, actor: Actor, if_match: str | None
) -> Row[Any]:
    """The user may sign in again with the roles they had. No session resumes: deactivation
    ended them all, and moving `access_changed_at` keeps every older token void."""
    user = await get_user(uow.session, user_id, lock=True)
    ensure_fresh(if_match, user.version)
    if user.active:
        return user
    now = datetime.now(UTC)
    await _bump(uow.session, user_id, active=True, access_changed_at=now)
    await uow.outbox.add(UserReactivated(user_id=user_id, roles=user.roles, reactivated_at=now))
    await audit.record(
        uow,
        actor=actor,
        action="user.reactivate",
        record_type="user",
        record_id=user_id,
        details={"roles": list(user.roles)},
    )
    return await _committed(uow, user_id)


async def reset_password(
    uow: UnitOfWork,
    settings: AuthSettings,
    user_id: uuid.UUID,
    new_password: str,
    *,
    actor: Actor,
) -> None:
    """An administrator's reset: every session ends, every token issued before it is void."""
    user = await get_user(uow.session, user_id, lock=True)
    await set_password(uow, settings, user, new_password, actor=actor, reason="password_reset")
    await uow.commit()


async def set_password(
    uow: UnitOfWork,
    settings: AuthSettings,
    user: Row[Any],
    new_password: str,
    *,
    actor: Actor,
    reason: Literal["password_change", "password_reset"],
    keep_session: uuid.UUID | None = None,
) -> None:
    """A change ends every session but `keep_session` (the one it is made from); a reset ends
    them all and voids every token issued before it. The account is unlocked."""
    ensure_acceptable_password(new_password, user.email)
    now = datetime.now(UTC)
    voided = {"access_changed_at": now} if reason == "password_reset" else {}
    await _bump(
        uow.session,
        user.user_id,
        password_hash=await asyncio.to_thread(hash_password, new_password),
        password_changed_at=now,
        **voided,
    )
    if voided:
        await uow.outbox.add(
            UserTokensRevoked(user_id=user.user_id, issued_before=now, reason="password_reset")
        )
    await revoke_user_sessions(uow, settings, user.user_id, reason=reason, keep=keep_session)
    await clear_attempts(uow.session, settings.throttle_keys.account(user.email))
    await audit.record(
        uow, actor=actor, action=f"user.{reason}", record_type="user", record_id=user.user_id
    )


async def change_own_password(
    runtime: Runtime,
    settings: AuthSettings,
    principal: Principal,
    current_password: str,
    new_password: str,
) -> None:
    """Needs the current password, throttled like a sign-in: a stolen token must not guess it.

    Two units of work, as in `sessions.log_in`: the attempt is counted and committed before
    the deliberately slow password check, so no lock is held across it and a guess counts
    even when the change then fails.
    """
    user_id = uuid.UUID(principal.user_id)
    async with runtime.unit_of_work() as uow:
        user = await get_user(uow.session, user_id)
        key = settings.throttle_keys.account(user.email)
        verdict = await admit_attempt(uow.session, key, datetime.now(UTC), settings.throttle_policy)
        await uow.commit()
    if not verdict.allowed:
        raise Problem(
            429,
            "Too many attempts with a wrong current password; wait before trying again.",
            headers={"Retry-After": str(verdict.retry_after_seconds)},
        )
    if not await asyncio.to_thread(password_matches, user.password_hash, current_password):
        raise Problem(403, "The current password is wrong.")
    async with runtime.unit_of_work() as uow:
        user = await get_user(uow.session, user_id, lock=True)
        keep = uuid.UUID(principal.session_id) if principal.session_id else None
        await set_password(
            uow,
            settings,
            user,
            new_password,
            actor=audit.user(user_id),
            reason="password_change",
            keep_session=keep,
        )
        await uow.commit()


async def _committed(uow: UnitOfWork, user_id: uuid.UUID) -> Row[Any]:
    """The user as the change left them, read before the one commit that ends the change."""
    user = await get_user(uow.session, user_id)
    await uow.commit()
    return user


async def _bump(session: AsyncSession, user_id: uuid.UUID, **values: Any) -> None:
    await session.execute(
        update(users)
        .where(users.c.user_id == user_id)
        .values(**values, version=users.c.version + 1, updated_at=func.now())
    )


async def _ensure_another_admin(session: AsyncSession, user_id: uuid.UUID) -> None:
    # Two admins removing each other at once must not both succeed.
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADMIN_CHANGES_LOCK})
    others = await session.scalar(
        select(func.count())
        .select_from(users)
        .where(users.c.active, users.c.roles.any("admin"), users.c.user_id != user_id)
    )
    if not others:
        raise Problem(409, "This is the last active administrator; make another one first.")

"""Signing in, refreshing and signing out: sessions whose refresh tokens rotate on every use.

A refresh token that was already exchanged and is presented again was copied: the whole session
(every token descended from the same login) is revoked, the thief's copy and the user's alike.
Every revocation is announced (`SessionRevoked`), so each service refuses the session's access
tokens too, until the last of them has expired.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.events.auth_users import SessionEndReason, SessionRevoked
from servicekit import audit
from servicekit.db import UnitOfWork
from servicekit.ids import uuid_or_none
from servicekit.service import Runtime
from servicekit.user_access import remember_revoked_session
from sqlalchemy import ColumnElement, Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.attempts import admit_sign_in, forgive_sign_in
from auth_service.db.tables import refresh_tokens, revoked_sessions, sessions, users
from auth_service.domain.passwords import (
    UNUSABLE_HASH,
    hash_password,
    needs_rehash,
    password_matches,
)
from auth_service.domain.throttling import sign_in_keys
from auth_service.domain.tokens import access_claims, new_refresh_token, refresh_token_digest
from auth_service.keyring import Keyring
from auth_service.metrics import LOGINS, REFRESHES, SIGNED_IN_TODAY
from auth_service.settings import AuthSettings

log = logging.getLogger(__name__)

# Verifiers accept a token this long past its `exp` (the kit's leeway of 30 s, and clock drift).
_EXPIRY_LEEWAY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


class LoginRefused(Exception):
    """Wrong account name or password, or an inactive account: the caller is told no more."""


class LoginThrottled(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class RefreshRefused(Exception):
    """The refresh token is unknown, used, expired or revoked; the reason stays in the logs."""


@dataclass(frozen=True, slots=True)
class Authority:
    """What signing in needs: the service's runtime, settings and signing keys."""

    runtime: Runtime[AuthSettings]
    settings: AuthSettings
    keyring: Keyring


async def log_in(authority: Authority, username: str, password: str, *, address: str) -> TokenPair:
    """`address` is the client's as the gateway saw it: the throttle counts per address too.

    Two units of work, on purpose: the first counts the attempt and commits before the password
    is checked, the second records the outcome. The count locks its throttle rows (the global
    budget's among them) until commit, so one transaction around the deliberately slow hash
    would make every sign-in in the hospital wait for the one before; and an attempt must stay
    counted even when the process dies before it ends.
    """
    runtime, settings, now = authority.runtime, authority.settings, datetime.now(UTC)
    policy = settings.sign_in_policy
    key = sign_in_keys(settings.throttle_keys, policy, username, address)
    async with runtime.unit_of_work() as uow:
        verdict = await admit_sign_in(uow.session, key, now, policy)
        user = (
            await uow.session.execute(
                select(users).where(func.lower(users.c.email) == username.strip().lower())
            )
        ).first()
        await uow.commit()
    if not verdict.allowed:
        LOGINS.labels("throttled").inc()
        raise LoginThrottled(verdict.retry_after_seconds or 1)
    # Unknown accounts are checked against a hash of the same cost: the same time either way.
    matches = await asyncio.to_thread(
        password_matches, user.password_hash if user else UNUSABLE_HASH, password
    )
    async with runtime.unit_of_work() as uow:
        if user is None or not matches or not user.active:
            reason = (
                "unknown_account" if user is None else "inactive" if matches else "wrong_password"
            )
            await audit.record(
                uow,
                actor=audit.service_actor("auth"),
                action="session.login_failed",
                record_type="user" if user else "account_name",
                record_id=user.user_id if user else key.account[:32],
                details={"reason": reason},
            )
            await uow.commit()
            LOGINS.labels("refused").inc()
            log.info("sign-in refused", extra={"reason": reason})
            raise LoginRefused(reason)
        await forgive_sign_in(uow.session, key)
        if needs_rehash(user.password_hash):
            new_hash = await asyncio.to_thread(hash_password, password)
            await uow.session.execute(
                update(users).where(users.c.user_id == user.user_id).values(password_hash=new_hash)
            )
        session_id = uuid.uuid4()
        await uow.session.execute(
            insert(sessions).values(
                session_id=session_id, user_id=user.user_id, created_at=now, last_used_at=now
            )
        )
        refresh = await _issue_refresh_token(uow.session, session_id, now)
        await audit.record(
            uow,
            actor=audit.user(user.user_id),
            action="session.login",
            record_type="user",
            record_id=user.user_id,
            details={"session_id": str(session_id)},
        )
        await uow.commit()
    LOGINS.labels("succeeded").inc()
    SIGNED_IN_TODAY.add(user.user_id)
    return await _pair(authority, user, session_id, refresh, now)


async def refresh(authority: Authority, token: str) -> TokenPair:
    runtime, settings, now = authority.runtime, authority.settings, datetime.now(UTC)
    async with runtime.unit_of_work() as uow:
        found = await _locked_token(uow.session, refresh_token_digest(token))
        try:
            row = _ensure_usable(found, settings, now)
        except RefreshRefused as refused:
            if found is not None and found.revoked_at is None:
                reason = str(refused)
                await end_sessions(
                    uow, settings, sessions.c.session_id == found.session_id, reason=reason
                )
                if reason == "refresh_token_reuse":
                    await audit.record(
                        uow,
                        actor=audit.service_actor("auth"),
                        action="session.reuse_detected",
                        record_type="user",
                        record_id=found.user_id,
                        details={"session_id": str(found.session_id)},
                    )
                await uow.commit()
            REFRESHES.labels("refused").inc()
            raise
        await uow.session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_digest == row.token_digest)
            .values(used_at=now)
        )
        await uow.session.execute(
            update(sessions).where(sessions.c.session_id == row.session_id).values(last_used_at=now)
        )
        successor = await _issue_refresh_token(uow.session, row.session_id, now)
        user = (
            await uow.session.execute(select(users).where(users.c.user_id == row.user_id))
        ).one()
        await uow.commit()
    REFRESHES.labels("succeeded").inc()
    return await _pair(authority, user, row.session_id, successor, now)


async def log_out(
    runtime: Runtime[AuthSettings], *, token: str | None, session_id: str | None
) -> None:
    """Ends the session of the refresh token, or of the access token; unknown ones are ignored."""
    async with runtime.unit_of_work() as uow:
        target: uuid.UUID | None = None
        if token:
            target = await uow.session.scalar(
                select(refresh_tokens.c.session_id).where(
                    refresh_tokens.c.token_digest == refresh_token_digest(token)
                )
            )
        if target is None and session_id:
            target = uuid_or_none(session_id)
        if target is not None:
            await end_sessions(
                uow, runtime.settings, sessions.c.session_id == target, reason="logout"
            )
        await uow.commit()


async def revoke_user_sessions(
    uow: UnitOfWork,
    settings: AuthSettings,
    user_id: uuid.UUID,
    *,
    reason: SessionEndReason,
    keep: uuid.UUID | None = None,
) -> None:
    condition = sessions.c.user_id == user_id
    if keep is not None:
        condition &= sessions.c.session_id != keep
    await end_sessions(uow, settings, condition, reason=reason)


async def end_sessions(
    uow: UnitOfWork,
    settings: AuthSettings,
    which: ColumnElement[bool],
    *,
    reason: SessionEndReason | str,
) -> None:
    """Revokes the open sessions `which` selects, here and (by their events) in every service."""
    ended = await uow.session.execute(
        update(sessions)
        .where(which, sessions.c.revoked_at.is_(None))
        .values(revoked_at=func.now(), revoked_reason=reason)
        .returning(sessions.c.session_id, sessions.c.user_id, sessions.c.revoked_at)
    )
    for session_id, user_id, revoked_at in ended.all():
        # No token of the session is issued after this transaction, so none outlives this.
        expires_at = revoked_at + settings.access_token_lifetime + _EXPIRY_LEEWAY
        await remember_revoked_session(
            uow.session,
            revoked_sessions,
            session_id=session_id,
            user_id=user_id,
            expires_at=expires_at,
        )
        await uow.outbox.add(
            SessionRevoked(
                user_id=user_id,
                session_id=session_id,
                reason=reason,
                revoked_at=revoked_at,
                expires_at=expires_at,
            )
        )


async def _locked_token(session: AsyncSession, digest: bytes) -> Row[Any] | None:
    # Locking the token serializes two refreshes with one token: the second sees it used.
    columns: list[ColumnElement[Any]] = [
        refresh_tokens.c.token_digest,
        refresh_tokens.c.used_at,
        sessions.c.session_id,
        sessions.c.user_id,
        sessions.c.created_at,
        sessions.c.last_used_at,
        sessions.c.revoked_at,
        users.c.active,
    ]
    query = (
        select(*columns)
        .join(sessions, sessions.c.session_id == refresh_tokens.c.session_id)
        .join(users, users.c.user_id == sessions.c.user_id)
        .where(refresh_tokens.c.token_digest == digest)
        .with_for_update(of=[refresh_tokens, sessions])
    )
    return (await session.execute(query)).first()


def _ensure_usable(row: Row[Any] | None, settings: AuthSettings, now: datetime) -> Row[Any]:
    """The token's row when it may be exchanged; else `RefreshRefused` saying why not."""
    if row is None:
        raise RefreshRefused("unknown_refresh_token")
    if row.revoked_at is not None:
        raise RefreshRefused("session_revoked")
    if row.used_at is not None:
        raise RefreshRefused("refresh_token_reuse")
    if now - row.last_used_at > timedelta(hours=settings.session_idle_hours):
        raise RefreshRefused("session_idle")
    if now - row.created_at > timedelta(hours=settings.session_max_hours):
        raise RefreshRefused("session_too_old")
    if not row.active:
        raise RefreshRefused("user_deactivated")
    return row


async def _issue_refresh_token(session: AsyncSession, session_id: uuid.UUID, now: datetime) -> str:
    token = new_refresh_token()
    await session.execute(
        insert(refresh_tokens).values(
            token_digest=refresh_token_digest(token), session_id=session_id, issued_at=now
        )
    )
    return token


async def _pair(
    authority: Authority, user: Row[Any], session_id: uuid.UUID, refresh_token: str, now: datetime
) -> TokenPair:
    settings = authority.settings
    claims = access_claims(
        user_id=user.user_id,
        roles=user.roles,
        session_id=session_id,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        now=now,
        lifetime=settings.access_token_lifetime,
    )
    access_token = await authority.keyring.sign(claims)
    return TokenPair(
        access_token, refresh_token, int(settings.access_token_lifetime.total_seconds())
    )

"""The signing keys as this process sees them: read from the database, re-read every few seconds.

Any process (a service replica, or the `rotate-keys` command) may rotate; an advisory lock keeps
two rotations, or two first keys, from racing.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from contracts.events.audit import Actor
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from servicekit import audit
from servicekit.db import UnitOfWork
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_service.db.tables import signing_keys
from auth_service.domain.signing_keys import (
    ALGORITHM,
    KeyTimes,
    derive_wrapping_key,
    generate_key,
    published_kids,
    seal,
    signing_kid,
    unseal,
)
from auth_service.settings import AuthSettings

_ROTATION_LOCK = 0x5EA1_0001
# Tokens are accepted up to the verifiers' leeway past `exp`: publish a little longer than that.
_PUBLISH_MARGIN = timedelta(minutes=2)


class Keyring:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: AuthSettings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._wrapping_key = derive_wrapping_key(settings.key_encryption_secret.get_secret_value())
        self._times: list[KeyTimes] = []
        self._public: dict[str, dict[str, Any]] = {}
        self._sealed: dict[str, bytes] = {}
        self._private: dict[str, Any] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def sign(self, claims: dict[str, Any]) -> str:
        await self._load_if_due()
        kid = signing_kid(self._times, datetime.now(UTC))
        if kid is None:  # no key yet, or the only one is still being published
            await self._load(force_first_key=True)
            kid = signing_kid(self._times, datetime.now(UTC))
            if kid is None:
                raise RuntimeError("no signing key has started signing yet")
        return jwt.encode(claims, self._private_key(kid), algorithm=ALGORITHM, headers={"kid": kid})

    async def jwks(self) -> dict[str, Any]:
        await self._load_if_due()
        if not self._times:
            await self._load(force_first_key=True)
        lifetime = self._settings.access_token_lifetime + _PUBLISH_MARGIN
        kids = published_kids(self._times, datetime.now(UTC), lifetime)
        return {"keys": [self._public[kid] for kid in kids]}

    def forget(self) -> None:
        """Read the keys again on next use (after this process rotated them)."""
        self._loaded_at = float("-inf")

    def _private_key(self, kid: str) -> Any:
        if kid not in self._private:
            pem = unseal(self._sealed[kid], self._wrapping_key, kid)
            self._private[kid] = load_pem_private_key(pem, password=None)
        return self._private[kid]

    async def _load_if_due(self) -> None:
        if time.monotonic() - self._loaded_at >= self._settings.keyring_refresh_seconds:
            await self._load()

    async def _load(self, *, force_first_key: bool = False) -> None:
        async with self._lock:
            async with self._sessions() as session, session.begin():
                if force_first_key:
                    await ensure_signing_key(session, self._wrapping_key)
                rows = (await session.execute(select(signing_keys))).all()
            self._times = [KeyTimes(r.kid, r.activates_at, r.retires_at) for r in rows]
            self._public = {r.kid: r.public_jwk for r in rows}
            self._sealed = {r.kid: r.private_key_sealed for r in rows}
            self._loaded_at = time.monotonic()


async def ensure_signing_key(session: AsyncSession, wrapping_key: bytes) -> None:
    """Makes a key that signs at once when none does: the very first one (nobody holds a token
    yet), or, should the keys ever have been edited into a gap, one to close it."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ROTATION_LOCK})
    if signing_kid(await key_times(session), datetime.now(UTC)) is None:
        await _add_key(session, wrapping_key, activates_at=datetime.now(UTC))


async def rotate(
    uow: UnitOfWork,
    settings: AuthSettings,
    *,
    actor: Actor,
    publish_ahead_seconds: float | None = None,
) -> KeyTimes:
    """Adds a key that signs after the publishing delay; the current key stops signing then.

    The rotation and its audit record commit together.
    """
    session = uow.session
    wrapping_key = derive_wrapping_key(settings.key_encryption_secret.get_secret_value())
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ROTATION_LOCK})
    if publish_ahead_seconds is None:
        publish_ahead_seconds = settings.key_publish_ahead_seconds
    if await session.scalar(select(signing_keys.c.kid).limit(1)) is None:
        publish_ahead_seconds = 0  # the very first key: nobody holds a token to keep valid
    activates_at = datetime.now(UTC) + timedelta(seconds=publish_ahead_seconds)
    current = signing_keys.c.retires_at.is_(None)
    await session.execute(update(signing_keys).where(current).values(retires_at=activates_at))
    kid = await _add_key(session, wrapping_key, activates_at=activates_at)
    await audit.record(
        uow,
        actor=actor,
        action="signing_key.rotate",
        record_type="signing_key",
        record_id=kid,
        details={"activates_at": activates_at.isoformat()},
    )
    await uow.commit()
    return KeyTimes(kid, activates_at, None)


async def key_times(session: AsyncSession) -> list[KeyTimes]:
    rows = (await session.execute(select(signing_keys).order_by(signing_keys.c.activates_at))).all()
    return [KeyTimes(r.kid, r.activates_at, r.retires_at) for r in rows]


async def _add_key(session: AsyncSession, wrapping_key: bytes, *, activates_at: datetime) -> str:
    key = generate_key()
    await session.execute(
        insert(signing_keys).values(
            kid=key.kid,
            algorithm=ALGORITHM,
            public_jwk=key.public_jwk,
            private_key_sealed=seal(key.private_pem, wrapping_key, key.kid),
            activates_at=activates_at,
        )
    )
    return key.kid

"""Administering the signing keys: list them, and rotate to a new one."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from servicekit import audit
from servicekit.deps import ReadSessionDep, UnitOfWorkDep

from auth_service import keyring
from auth_service.api.deps import AdminDep, AuthorityDep
from auth_service.api.schemas import RotationRequest, SigningKeyPublic
from auth_service.domain.signing_keys import KeyTimes, signing_kid

router = APIRouter(prefix="/signing-keys", tags=["signing keys"])


@router.get("", summary="The signing keys, oldest first (public data only)")
async def list_keys(admin: AdminDep, session: ReadSessionDep) -> list[SigningKeyPublic]:
    return _shaped(await keyring.key_times(session))


@router.post("/rotate", status_code=201, summary="Make a new signing key; the current one retires")
async def rotate(
    body: RotationRequest, admin: AdminDep, authority: AuthorityDep, uow: UnitOfWorkDep
) -> list[SigningKeyPublic]:
    await keyring.rotate(
        uow,
        authority.settings,
        actor=audit.user(admin.user_id),
        publish_ahead_seconds=body.publish_ahead_seconds,
    )
    authority.keyring.forget()
    return _shaped(await keyring.key_times(uow.session))


def _shaped(times: list[KeyTimes]) -> list[SigningKeyPublic]:
    current = signing_kid(times, datetime.now(UTC))
    return [
        SigningKeyPublic(
            kid=t.kid,
            activates_at=t.activates_at,
            retires_at=t.retires_at,
            signing=t.kid == current,
        )
        for t in times
    ]

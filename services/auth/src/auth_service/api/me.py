"""The signed-in user's own account."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Response
from servicekit import audit
from servicekit.auth import CurrentPrincipal
from servicekit.deps import UnitOfWorkDep
from servicekit.problems import Problem

from auth_service.accounts import get_user, set_password
from auth_service.api.schemas import PasswordChange, UserPublic
from auth_service.domain.passwords import password_matches

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", summary="Who am I: the account behind the access token")
async def me(principal: CurrentPrincipal, uow: UnitOfWorkDep) -> UserPublic:
    user = await get_user(uow.session, uuid.UUID(principal.user_id))
    return UserPublic.model_validate(user, from_attributes=True)


@router.put(
    "/password",
    status_code=204,
    summary="Change my password; my other sessions end",
    responses={403: {"description": "The current password is wrong"}},
)
async def change_my_password(
    body: PasswordChange, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> Response:
    user = await get_user(uow.session, uuid.UUID(principal.user_id), lock=True)
    if not await asyncio.to_thread(password_matches, user.password_hash, body.current_password):
        raise Problem(403, "The current password is wrong.")
    keep = uuid.UUID(principal.session_id) if principal.session_id else None
    await set_password(
        uow,
        user,
        body.new_password,
        actor=audit.user(user.user_id),
        action="user.password_change",
        keep_session=keep,
    )
    await uow.commit()
    return Response(status_code=204)

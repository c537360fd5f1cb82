"""The signed-in user's own account."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from servicekit.auth import CurrentPrincipal
from servicekit.deps import ReadSessionDep

from auth_service.accounts import change_own_password, get_user
from auth_service.api.deps import AuthorityDep
from auth_service.api.schemas import PasswordChange, UserPublic

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", summary="Who am I: the account behind the access token")
async def me(principal: CurrentPrincipal, session: ReadSessionDep) -> UserPublic:
    user = await get_user(session, uuid.UUID(principal.user_id))
    return UserPublic.model_validate(user, from_attributes=True)


@router.put(
    "/password",
    status_code=204,
    summary="Change my password; my other sessions end",
    responses={
        403: {"description": "The current password is wrong"},
        429: {"description": "Too many wrong current passwords; see Retry-After"},
    },
)
async def change_my_password(
    body: PasswordChange, principal: CurrentPrincipal, authority: AuthorityDep
) -> Response:
    await change_own_password(
        authority.runtime, authority.settings, principal, body.current_password, body.new_password
    )
    return Response(status_code=204)

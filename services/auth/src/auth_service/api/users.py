"""Administering users: create, list, change roles, deactivate, reactivate, reset a password."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from contracts.events.auth_users import Role
from fastapi import APIRouter, Header, Query, Response
from servicekit import audit
from servicekit.app import gateway_prefix
from servicekit.deps import ReadSessionDep, RuntimeDep, UnitOfWorkDep
from servicekit.error_responses import CREATED_AT_LOCATION
from servicekit.etags import etag
from servicekit.pages import Page, PageRequestDep

from auth_service import accounts
from auth_service.api.deps import AdminDep, SettingsDep
from auth_service.api.schemas import PasswordReset, RolesUpdate, UserCreate, UserPublic

router = APIRouter(prefix="/users", tags=["users"])
IfMatch = Annotated[str | None, Header(description="The ETag read; 412 when it is stale.")]
SortKey = Literal["email", "-email", "display_name", "-display_name", "created_at", "-created_at"]


@router.post("", status_code=201, summary="Create a user", responses=CREATED_AT_LOCATION)
async def create_user(
    body: UserCreate,
    admin: AdminDep,
    uow: UnitOfWorkDep,
    runtime: RuntimeDep,
    response: Response,
) -> UserPublic:
    user = await accounts.create_user(
        uow,
        email=body.email,
        display_name=body.display_name,
        roles=[str(r) for r in body.roles],
        password=body.password,
        staff_member_id=body.staff_member_id,
        actor=audit.user(admin.user_id),
    )
    response.headers["Location"] = f"{gateway_prefix(runtime.service)}/users/{user.user_id}"
    return _shaped(user, response)


@router.get("", summary="List users, filtered and sorted")
async def list_users(
    admin: AdminDep,
    session: ReadSessionDep,
    page: PageRequestDep,
    role: Role | None = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of email or name.")] = None,
    sort: SortKey = "email",
) -> Page[UserPublic]:
    where = accounts.UserFilter(role=role, active=active, search=q, sort=sort)
    rows, total = await accounts.list_users(session, where, page)
    items = [UserPublic.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{user_id}", summary="One user")
async def get_user(
    user_id: uuid.UUID, admin: AdminDep, session: ReadSessionDep, response: Response
) -> UserPublic:
    return _shaped(await accounts.get_user(session, user_id), response)


@router.put("/{user_id}/roles", summary="Replace a user's roles")
async def change_roles(
    user_id: uuid.UUID,
    body: RolesUpdate,
    admin: AdminDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> UserPublic:
    roles = [str(r) for r in body.roles]
    user = await accounts.change_roles(
        uow, user_id, roles, actor=audit.user(admin.user_id), if_match=if_match
    )
    return _shaped(user, response)


@router.post("/{user_id}/deactivate", summary="Deactivate a user: their tokens stop working")
async def deactivate(
    user_id: uuid.UUID,
    admin: AdminDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> UserPublic:
    actor = audit.user(admin.user_id)
    user = await accounts.deactivate(uow, settings, user_id, actor=actor, if_match=if_match)
    return _shaped(user, response)


@router.post(
    "/{user_id}/reactivate",
    summary="Reactivate a user: they may sign in again; no old session or token comes back",
)
async def reactivate(
    user_id: uuid.UUID,
    admin: AdminDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> UserPublic:
    actor = audit.user(admin.user_id)
    user = await accounts.reactivate(uow, user_id, actor=actor, if_match=if_match)
    return _shaped(user, response)


@router.put("/{user_id}/password", status_code=204, summary="Reset a user's password")
async def reset_password(
    user_id: uuid.UUID,
    body: PasswordReset,
    admin: AdminDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
) -> Response:
    actor = audit.user(admin.user_id)
    await accounts.reset_password(uow, settings, user_id, body.new_password, actor=actor)
    return Response(status_code=204)


def _shaped(user: object, response: Response) -> UserPublic:
    public = UserPublic.model_validate(user, from_attributes=True)
    response.headers["ETag"] = etag(public.version)
    return public

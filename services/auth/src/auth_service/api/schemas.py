"""Request and response bodies of the auth API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from contracts.events.auth_users import Email, Role
from contracts.values import DistinctRequest, Name
from pydantic import BaseModel, ConfigDict, Field

Password = str  # checked by the password policy, never echoed back


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        default=None,
        description="Absent when the refresh token was set as a cookie (refresh_transport=cookie).",
    )
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(_Body):
    refresh_token: str = Field(min_length=1, max_length=200)


class LogoutRequest(_Body):
    refresh_token: str | None = Field(default=None, max_length=200)


class UserCreate(_Body):
    email: Email
    display_name: Name
    roles: DistinctRequest[Role] = Field(min_length=1)
    password: Password = Field(min_length=1, max_length=1024, description="The initial password.")
    staff_member_id: uuid.UUID | None = Field(
        default=None, description="The staff member of the resources service this user is."
    )


class UserPublic(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    roles: list[Role]
    active: bool
    staff_member_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


class RolesUpdate(_Body):
    roles: DistinctRequest[Role] = Field(min_length=1)


class PasswordReset(_Body):
    new_password: Password = Field(min_length=1, max_length=1024)


class PasswordChange(_Body):
    current_password: Password = Field(min_length=1, max_length=1024)
    new_password: Password = Field(min_length=1, max_length=1024)


class SigningKeyPublic(BaseModel):
    kid: str
    activates_at: datetime
    retires_at: datetime | None
    signing: bool = Field(description="Whether new tokens are signed with this key now.")


class RotationRequest(_Body):
    publish_ahead_seconds: float | None = Field(
        default=None,
        strict=True,  # a number, not `false` read as 0
        ge=0,
        le=86_400,
        description="How long the new key is published before it signs; the setting by default.",
    )

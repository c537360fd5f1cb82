"""Events of `auth.users.v1`: user accounts. Never a password, a hash or a token."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from contracts.envelope import Event
from contracts.topics import AUTH_USERS
from contracts.values import Distinct, Name


class Role(StrEnum):
    """What a user may do; access tokens carry these."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    SURGEON = "surgeon"
    ANAESTHETIST = "anaesthetist"
    NURSE = "nurse"
    VIEWER = "viewer"


Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]


class UserRegistered(Event):
    """A user account was created."""

    topic = AUTH_USERS
    key_field = "user_id"

    user_id: uuid.UUID
    email: Email
    display_name: Name
    roles: Distinct[Role] = Field(min_length=1)
    staff_member_id: uuid.UUID | None = Field(
        default=None, description="The staff member this user is, if any."
    )
    active: bool = True


class UserRolesChanged(Event):
    """A user's roles were replaced by `roles`."""

    topic = AUTH_USERS
    key_field = "user_id"

    user_id: uuid.UUID
    roles: Distinct[Role] = Field(min_length=1)


class UserDeactivated(Event):
    """A user can no longer sign in; their tokens stop being refreshed."""

    topic = AUTH_USERS
    key_field = "user_id"

    user_id: uuid.UUID
    deactivated_at: AwareDatetime


class UserReactivated(Event):
    """A deactivated user may sign in again with `roles`. No session resumes: every token
    issued before `reactivated_at` stays void, and the user signs in afresh."""

    topic = AUTH_USERS
    key_field = "user_id"

    user_id: uuid.UUID
    roles: Distinct[Role] = Field(min_length=1)
    reactivated_at: AwareDatetime


SessionEndReason = Literal[
    "logout",
    "refresh_token_reuse",
    "password_change",
    "password_reset",
    "user_deactivated",
    "session_idle",
    "session_too_old",
]


class SessionRevoked(Event):
    """A session ended before its time: every access token carrying its `sid` is void.

    Its tokens cannot outlive `expires_at` anyway, so a service may forget the session then."""

    topic = AUTH_USERS
    key_field = "user_id"

    user_id: uuid.UUID
    session_id: uuid.UUID
    reason: SessionEndReason
    revoked_at: AwareDatetime
    expires_at: AwareDatetime = Field(
        description="When the session's last access token expires; forget the session then."
    )


class UserTokensRevoked(Event):
    """Every access token of the user issued before `issued_before` is void (a password reset),
    whichever session it belongs to."""

    topic = AUTH_USERS
    key_field = "user_id"

    user_id: uuid.UUID
    issued_before: AwareDatetime
    reason: Literal["password_reset"]


EVENTS: tuple[type[Event], ...] = (
    UserRegistered,
    UserRolesChanged,
    UserDeactivated,
    UserReactivated,
    SessionRevoked,
    UserTokensRevoked,
)

"""Events of `auth.users.v1`: user accounts. Never a password, a hash or a token."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

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


EVENTS: tuple[type[Event], ...] = (UserRegistered, UserRolesChanged, UserDeactivated)

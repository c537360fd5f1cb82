"""Examples of the user and audit events."""

from __future__ import annotations

from contracts.events.audit import Actor, AuditRecorded
from contracts.events.auth_users import (
    Role,
    SessionRevoked,
    UserDeactivated,
    UserReactivated,
    UserRegistered,
    UserRolesChanged,
    UserTokensRevoked,
)
from contracts.examples.ids import SURGEON, at, example_id

SURGEON_USER = example_id("user surgeon")
ADMIN = example_id("user admin")

EXAMPLES = (
    UserRegistered(
        user_id=SURGEON_USER,
        email="surgeon@example.org",
        display_name="Dr Meredith Grey",
        roles=(Role.SURGEON,),
        staff_member_id=SURGEON,
    ),
    UserRolesChanged(user_id=SURGEON_USER, roles=(Role.SURGEON, Role.VIEWER)),
    UserDeactivated(user_id=SURGEON_USER, deactivated_at=at(31, 17)),
    UserReactivated(user_id=SURGEON_USER, roles=(Role.SURGEON,), reactivated_at=at(31, 18)),
    SessionRevoked(
        user_id=SURGEON_USER,
        session_id=example_id("session surgeon"),
        reason="logout",
        revoked_at=at(2, 17),
        expires_at=at(2, 17, 16),
    ),
    UserTokensRevoked(user_id=SURGEON_USER, issued_before=at(3, 8), reason="password_reset"),
    AuditRecorded(
        audit_id=example_id("audit 1"),
        actor=Actor(kind="user", id=str(ADMIN)),
        action="user.roles_change",
        record_type="user",
        record_id=str(SURGEON_USER),
        at=at(2, 9, 15),
        service="auth",
        details={"roles": ["surgeon", "viewer"], "previous_roles": ["surgeon"]},
        request_id="5f0c2b7e9d1a4c3b8e6f7a9d0c1b2e3f",
    ),
)

"""Who may put a case on the waiting list, and which staff member may operate it."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from contracts.vocabulary import StaffRole

# Roles that keep the waiting list for everyone; a surgeon alone requests only their own cases.
PLANNING_ROLES = frozenset({"admin", "coordinator"})


def surgeon_refusal(surgeon_id: uuid.UUID, member: StaffMemberUpserted | None) -> str | None:
    """Why `member` (the read model's snapshot of `surgeon_id`) cannot operate; None if it can."""
    if member is None:
        return f"surgeon_id {surgeon_id} is not a staff member this service knows."
    who = f"surgeon_id {surgeon_id} ({member.name})"
    if member.role != StaffRole.SURGEON:
        return f"{who} has the role {member.role.value}, not surgeon."
    if member.retired_at is not None:
        return f"{who} is retired."
    if member.status != StaffStatus.ACTIVE:
        return f"{who} is {member.status.value}, not active."
    return None


def may_request_for(
    member: StaffMemberUpserted | None, *, user_id: str, roles: Collection[str]
) -> bool:
    """A planner requests for any surgeon; anyone else only for the surgeon who is themselves."""
    if PLANNING_ROLES & set(roles):
        return True
    return member is not None and member.user_id is not None and str(member.user_id) == user_id

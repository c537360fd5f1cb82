"""Links the demo logins that are clinicians to the demo staff member each one is.

Scheduling shows a surgeon, anaesthetist or nurse the cases they are on through the staff
member linked to their user. Resources knows users only by id (its `user_access` view of
auth's events carries no e-mail), so the seed signs in once as each demo login, with the
documented demo password, to learn its id from auth: demo data only, which is never seeded in
production. Runs with every seed and is idempotent: a login already linked to a staff member
in service stays as it is, and so does a staff member someone has linked to another user.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from contracts.events.audit import Actor
from contracts.values import WeeklyHours
from contracts.vocabulary import StaffRole
from servicekit.service import Runtime
from sqlalchemy import select

from resources_service import staff
from resources_service.commands import StaffState
from resources_service.db.tables import staff_members, user_access
from resources_service.demo.demo_hospital import DEMO_LOGINS
from resources_service.settings import ResourcesSettings

DEMO_PASSWORD = "demo-password"  # noqa: S105 - PRODUCT.md's demo login, never in production
log = logging.getLogger(__name__)


async def link(runtime: Runtime[ResourcesSettings], actor: Actor) -> None:
    settings = runtime.settings
    auth = settings.jwks_url.split("/.well-known/", 1)[0]
    for email, name in DEMO_LOGINS:
        user_id = await _user_id(auth, email)
        if user_id is None or not await _known(runtime, user_id):
            log.warning("demo login %s not linked: its user is not known here yet", email)
            continue
        await _link(runtime, settings, user_id, name, actor)


async def _user_id(auth: str, email: str) -> uuid.UUID | None:
    """The login's user id, as auth tells it to the login itself; None if it cannot sign in."""
    try:
        async with httpx.AsyncClient(base_url=auth, timeout=10) as client:
            form = {"username": email, "password": DEMO_PASSWORD}
            signed_in = await client.post("/token", data=form)
            if signed_in.status_code != 200:
                return None
            token = signed_in.json()["access_token"]
            me = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        return None
    return uuid.UUID(me.json()["user_id"]) if me.status_code == 200 else None


async def _known(runtime: Runtime, user_id: uuid.UUID) -> bool:
    """Whether auth's `UserRegistered` has reached `user_access`. Not waited for: auth seeds
    first, so it has on every stack but one whose broker lags; the next seed links it then."""
    async with runtime.unit_of_work() as uow:
        query = select(user_access.c.active).where(user_access.c.user_id == user_id)
        return bool(await uow.session.scalar(query))


async def _link(
    runtime: Runtime,
    settings: ResourcesSettings,
    user_id: uuid.UUID,
    name: str,
    actor: Actor,
) -> None:
    in_service = staff_members.c.retired_at.is_(None)
    async with runtime.unit_of_work() as uow:
        session = uow.session
        if await session.scalar(
            select(staff_members.c.staff_id).where(staff_members.c.user_id == user_id, in_service)
        ):
            return
        member = (
            await session.execute(
                select(staff_members).where(staff_members.c.name == name, in_service)
            )
        ).first()
        if member is None or member.user_id is not None:
            return
        body = StaffState(
            name=member.name,
            role=StaffRole(member.role),
            specialties=tuple(member.specialties),
            skills=tuple(member.skills),
            working_pattern=WeeklyHours.model_validate(member.working_pattern),
            max_minutes_per_day=member.max_minutes_per_day,
            user_id=user_id,
            status=member.status,
        )
        await staff.replace(
            uow, member.staff_id, body, settings=settings, actor=actor, if_match=None
        )

"""The demo users of PRODUCT.md, seeded outside production by `make up`."""

from __future__ import annotations

from servicekit.service import Runtime

from auth_service.accounts import find_by_email, register_user

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo login, never in production
DEMO_USERS = (
    ("admin@example.org", "Ada Admin", ("admin",)),
    ("coordinator@example.org", "Cora Coordinator", ("coordinator",)),
    ("surgeon@example.org", "Sam Surgeon", ("surgeon",)),
    ("viewer@example.org", "Vic Viewer", ("viewer",)),
)


async def seed(runtime: Runtime) -> None:
    # The demo password is shorter than the policy asks: it is documented, and never in production.
    async with runtime.unit_of_work() as uow:
        for email, name, roles in DEMO_USERS:
            if await find_by_email(uow.session, email) is None:
                await register_user(
                    uow, email=email, display_name=name, roles=roles, password=DEMO_PASSWORD
                )
        await uow.commit()

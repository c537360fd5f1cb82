"""A service made of the kit alone, served as real processes by `test_worker_processes.py`:
`python -m tests.integration.servicekit.kit_service serve`, configured by KIT_* variables.

`POST /registrations?count=n` commits n `UserRegistered` events to its outbox in one
transaction; its own consumer applies each event from the same topic as an `effects` row noting
the pid of the process that applied it. Its name (hence its consumer group), topic and database
schema are the test's own.
"""

from __future__ import annotations

import os

from contracts.envelope import Envelope
from contracts.events.auth_users import UserRegistered
from fastapi import APIRouter
from pydantic import model_validator
from pydantic_settings import SettingsConfigDict
from servicekit import cli
from servicekit.app import create_app
from servicekit.deps import UnitOfWorkDep
from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData, insert
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.servicekit.effects import effects, user_registered


class KitSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_", extra="ignore", frozen=True)
    topic: str

    @model_validator(mode="after")
    def _schema_only_for_the_api_alone(self) -> KitSettings:
        # Overrides the base rule: this service's only own connection is the relay's, which
        # takes the schema (the real services' listeners do not).
        return self


def _settings() -> KitSettings:
    return KitSettings()  # type: ignore[call-arg]  # database_url and topic come from KIT_*


TOPIC = os.environ.get("KIT_TOPIC", "")
router = APIRouter()


@router.post("/registrations")
async def register(uow: UnitOfWorkDep, count: int = 1) -> dict[str, int]:
    for n in range(count):
        await uow.outbox.add(user_registered(n), topic=TOPIC)
    await uow.commit()
    return {"pid": os.getpid()}


async def apply(session: AsyncSession, event: UserRegistered, envelope: Envelope) -> None:
    await session.execute(
        insert(effects).values(
            event_id=envelope.event_id, user_id=event.user_id, note=str(os.getpid())
        )
    )


service = ServiceDefinition(
    name=os.environ.get("KIT_SERVICE_NAME", "kit"),
    title="Kit",
    description="The kit alone: an outbox, a relay and a consumer.",
    settings=_settings,
    metadata=MetaData(),
    migrations="servicekit:alembic",
    routers=[router],
    handlers=lambda: HandlerMap().on(UserRegistered, apply, topic=TOPIC),
)
app = create_app(service)

if __name__ == "__main__":
    cli.run(service, asgi_app="tests.integration.servicekit.kit_service:app")

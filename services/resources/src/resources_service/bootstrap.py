"""The composition root of the resources service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition
from servicekit.user_access import register_user_access_handlers

from resources_service.db.tables import metadata, user_access
from resources_service.settings import ResourcesSettings


def handlers() -> HandlerMap:
    return register_user_access_handlers(HandlerMap(), user_access)


service = ServiceDefinition(
    name="resources",
    title="Resources service",
    description="Operating rooms, staff, equipment, block allocations and availability calendars.",
    settings=ResourcesSettings,
    metadata=metadata,
    migrations="resources_service:migrations",
    handlers=handlers,
)

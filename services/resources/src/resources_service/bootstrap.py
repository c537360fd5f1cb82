"""The composition root of the resources service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition
from servicekit.user_access import register_user_access_handlers

from resources_service.api import availability, blocks, equipment, operating_rooms, staff
from resources_service.db.tables import metadata, user_access
from resources_service.demo import demo
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
    routers=(
        operating_rooms.router,
        staff.router,
        equipment.router,
        blocks.router,
        availability.router,
    ),
    handlers=handlers,
    seed=demo.seed,
    openapi_tags=(
        {
            "name": "operating rooms",
            "description": "Rooms, their capabilities, weekly hours and dated exceptions.",
        },
        {"name": "staff", "description": "Staff members, their working patterns and absences."},
        {"name": "equipment", "description": "Equipment, its units and their maintenance."},
        {"name": "blocks", "description": "Room time allocated to a surgeon or a service."},
        {
            "name": "availability",
            "description": "Effective open intervals: what scheduling and the optimizer consume.",
        },
    ),
)

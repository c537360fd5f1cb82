"""The composition root of the scheduling service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition
from servicekit.user_access import register_user_access_handlers

from scheduling_service.db.tables import metadata, user_access
from scheduling_service.settings import SchedulingSettings


def handlers() -> HandlerMap:
    return register_user_access_handlers(HandlerMap(), user_access)


service = ServiceDefinition(
    name="scheduling",
    title="Scheduling service",
    description=(
        "The waiting list, conflict-free bookings, the case lifecycle, optimizer proposals,"
        " KPIs and the audit log."
    ),
    settings=SchedulingSettings,
    metadata=metadata,
    migrations="scheduling_service:migrations",
    handlers=handlers,
)

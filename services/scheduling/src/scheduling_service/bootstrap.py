"""The composition root of the scheduling service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition
from servicekit.user_access import register_user_access_handlers

from scheduling_service.api import (
    audit,
    bookings,
    kpis,
    optimizations,
    read_model,
    schedule,
    surgeries,
)
from scheduling_service.db.tables import metadata, user_access
from scheduling_service.demo import demo
from scheduling_service.handlers import interop_orders, optimizer_schedules, resources
from scheduling_service.settings import SchedulingSettings


def handlers() -> HandlerMap:
    handlers = register_user_access_handlers(HandlerMap(), user_access)
    handlers = interop_orders.register(handlers)
    return optimizer_schedules.register(resources.register(handlers))


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
    audits_reads=True,
    routers=(
        surgeries.router,
        bookings.router,
        schedule.router,
        optimizations.router,
        kpis.router,
        audit.router,
        read_model.router,
    ),
    handlers=handlers,
    seed=demo.seed,
    openapi_tags=(
        {
            "name": "surgeries",
            "description": "The waiting list of surgery requests and each case's lifecycle.",
        },
        {
            "name": "bookings",
            "description": "A case placed in a room with its staff and equipment units; dry runs.",
        },
        {"name": "schedule", "description": "Day lists per room, surgeon and staff member."},
        {
            "name": "optimizations",
            "description": "Asking the optimizer for a proposal, reviewing, applying, rejecting.",
        },
        {"name": "kpis", "description": "Utilization, turnover, on-time starts, cancellations."},
        {"name": "audit", "description": "Who read or changed which case, for admins."},
        {
            "name": "read model",
            "description": "Which version of each resources snapshot this service holds.",
        },
    ),
)

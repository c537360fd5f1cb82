"""The composition root of the interop service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import Runtime, ServiceDefinition, Worker
from servicekit.user_access import register_user_access_handlers

from interop_service import case_events
from interop_service.db.schema import metadata
from interop_service.db.tables import user_access
from interop_service.fhir import (
    cases_api,
    orders_api,
    resources_api,
    resources_projection,
)
from interop_service.fhir.common import OPERATION_OUTCOME
from interop_service.settings import InteropSettings
from interop_service.siu import delivery as siu_delivery
from interop_service.siu import retention as siu_retention


def handlers() -> HandlerMap:
    handlers = register_user_access_handlers(HandlerMap(), user_access)
    handlers = resources_projection.register(handlers)
    return case_events.register(handlers)  # the FHIR read model of cases and the SIU feed


def workers(runtime: Runtime[InteropSettings]) -> list[Worker]:
    """The SIU feed's delivery workers (one per MLLP endpoint) and its retention purge."""
    return [
        *siu_delivery.delivery_workers(runtime),
        *siu_retention.retention_workers(runtime),
    ]


service = ServiceDefinition(
    name="interop",
    title="Interop service",
    description=(
        "A FHIR R4 API (Appointment, Slot, Schedule, Location, Practitioner, Device,"
        " ServiceRequest) and an HL7 v2 SIU feed over MLLP and Kafka, derived from events."
    ),
    settings=InteropSettings,
    metadata=metadata,
    migrations="interop_service:migrations",
    routers=(resources_api.router, cases_api.router, orders_api.router),
    handlers=handlers,
    workers=workers,
    # Errors under the FHIR base are OperationOutcomes, problem+json elsewhere.
    problem_formats={"/fhir": OPERATION_OUTCOME},
    openapi_tags=(
        {"name": "fhir", "description": "FHIR R4 read and search, and ServiceRequest orders."},
    ),
)

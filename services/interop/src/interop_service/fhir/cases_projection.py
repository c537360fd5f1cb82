"""The FHIR read model of cases (Appointment, ServiceRequest): its event handlers. Placeholder."""

from servicekit.messaging.consumer import HandlerMap


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers

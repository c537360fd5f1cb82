"""The FHIR read model's event handlers (placeholder until the read model lands)."""

from servicekit.messaging.consumer import HandlerMap


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers

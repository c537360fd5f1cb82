"""The FHIR read model of rooms, staff, equipment and blocks: its event handlers. Placeholder."""

from servicekit.messaging.consumer import HandlerMap


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers

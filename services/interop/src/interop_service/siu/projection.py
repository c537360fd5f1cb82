"""The SIU feed's event handlers (placeholder until the feed lands)."""

from servicekit.messaging.consumer import HandlerMap


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers

"""The Prometheus metrics every service exposes on /metrics, defined once."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "HTTP request duration by route template.",
    ("method", "route", "status"),
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "events_published_total", "Events the outbox relay published to Kafka.", ("topic",)
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Events a consumer handled, by outcome (applied, duplicate, ignored).",
    ("group", "topic", "outcome"),
)
EVENTS_FAILED = Counter(
    "events_failed_total",
    "Handling attempts that failed, and messages sent to the DLQ.",
    ("group", "topic", "kind"),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows committed but not yet published.")
OUTBOX_PUBLISH_SECONDS = Histogram(
    "outbox_publish_batch_duration_seconds", "Time to publish and mark one outbox batch."
)
CONSUMER_LAG = Gauge(
    "consumer_lag",
    "Messages behind the partition's high watermark.",
    ("group", "topic", "partition"),
)


class HttpMetricsMiddleware:
    """Times every request under its route template (`/surgeries/{id}`), never the raw path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            if template not in ("/metrics", "/healthz"):
                HTTP_REQUEST_SECONDS.labels(scope["method"], template, str(status)).observe(
                    time.perf_counter() - started
                )

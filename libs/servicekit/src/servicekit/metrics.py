"""The Prometheus metrics every service exposes on /metrics, defined once."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
# Reasons are a short fixed vocabulary (servicekit.auth.InvalidToken), so the label stays small.
TOKENS_REFUSED = Counter(
    "auth_tokens_refused_total", "Access tokens refused, by reason.", ("reason",)
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows committed but not yet published.")
OUTBOX_OLDEST_SECONDS = Gauge(
    "outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published; 0 when none waits.",
)
OUTBOX_PARKED = Gauge(
    "outbox_parked_rows",
    "Outbox rows parked after failing to publish again and again; each waits for an operator.",
)
OUTBOX_PUBLISH_SECONDS = Histogram(
    "outbox_publish_batch_duration_seconds", "Time to publish and mark one outbox batch."
)
CONSUMER_LAG = Gauge(
    "consumer_lag",
    "Messages behind the partition's high watermark.",
    ("group", "topic", "partition"),
)
KAFKA_BROKER_REACHABLE = Gauge(
    "kafka_broker_reachable",
    "1 when the broker answered this process's last metadata request, 0 when it did not.",
)

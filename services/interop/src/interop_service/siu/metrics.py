"""The SIU feed's Prometheus metrics, beside the ones every service exposes."""

from prometheus_client import Counter, Gauge

MESSAGES_BUILT = Counter(
    "interop_siu_messages_built_total",
    "SIU messages built from scheduling's events (and validated), by trigger.",
    ("trigger",),
)
DELIVERED = Counter(
    "interop_siu_delivered_total",
    "SIU messages an MLLP endpoint acknowledged with AA (or CA), by endpoint.",
    ("endpoint",),
)
RETRIED = Counter(
    "interop_siu_retried_total",
    "SIU deliveries that will be tried again, by endpoint and reason: application_error (AE),"
    " unreachable (refused, dropped, timed out) or protocol (an answer that is no ACK of it).",
    ("endpoint", "reason"),
)
PARKED = Counter(
    "interop_siu_parked_total",
    "SIU messages an MLLP endpoint rejected (AR or CR): parked until an operator acts.",
    ("endpoint",),
)
# Measured from the database by every process alike: the latest measurement holds.
PARKED_NOW = Gauge(
    "interop_siu_parked_messages",
    "SIU deliveries parked now, by endpoint (each holds its case's later messages back).",
    ("endpoint",),
    multiprocess_mode="livemostrecent",
)
OLDEST_UNDELIVERED = Gauge(
    "interop_siu_oldest_undelivered_age_seconds",
    "Age of the oldest SIU message an endpoint has not acknowledged yet (0 when none).",
    ("endpoint",),
    multiprocess_mode="livemostrecent",
)
PURGED = Counter(
    "interop_siu_messages_purged_total",
    "SIU messages (with their deliveries) deleted for being past the retention.",
)

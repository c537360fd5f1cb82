"""The scheduling service's own Prometheus metrics, beside the ones every service exposes."""

from prometheus_client import Counter

BOOKINGS = Counter(
    "scheduling_bookings_total",
    "Booking requests (PUT .../booking) by outcome, once each: booked, moved, refused (a rule"
    " or a double booking named), race_lost (the database refused a booking that passed the"
    " checks: a double booking written first, a deadlock or a lock timeout).",
    ("outcome",),
)
BOOKING_CONFLICTS = Counter(
    "scheduling_booking_conflicts_total",
    "Conflicts named in refused booking requests, by conflict code.",
    ("code",),
)
CASES_REQUESTED = Counter(
    "scheduling_cases_requested_total", "Cases put on the waiting list (POST /surgeries)."
)
CASES_STOPPED = Counter(
    "scheduling_cases_stopped_total",
    "Cases cancelled or postponed, by action and reason code (domain/reasons.py).",
    ("action", "reason_code"),
)
OPTIMIZATIONS = Counter(
    "scheduling_optimizations_total",
    "Optimizations by event: requested, proposed, failed, applied, rejected, stale (an apply"
    " refused because a case changed since the request).",
    ("event",),
)

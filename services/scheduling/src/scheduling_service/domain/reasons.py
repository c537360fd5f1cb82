"""Why a case is cancelled or postponed: the reason codes the hospital counts by.

The contract's `ReasonCode` is an open term so that consumers never break on a new one; this
service only accepts the codes below, so that cancellation KPIs group into known causes.
"""

from __future__ import annotations

REASON_CODES: tuple[str, ...] = (
    "patient_unfit",
    "patient_request",
    "patient_did_not_attend",
    "no_bed",
    "no_staff",
    "equipment_unavailable",
    "list_overrun",
    "emergency_displaced",
    "administrative",
    "other",
)


def ensure_known(code: str) -> str:
    """`code` when it is one of `REASON_CODES`; a `ValueError` naming them all otherwise."""
    if code not in REASON_CODES:
        raise ValueError(f"unknown reason code {code!r}; known codes: {', '.join(REASON_CODES)}")
    return code

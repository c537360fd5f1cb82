"""The SIU consumer's verdict on a message hl7apy refuses: straight to the DLQ, not a crash."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from contracts.envelope import Envelope
from interop_service.domain import siu_messages
from interop_service.siu import projection
from servicekit.messaging.consumer import Unprocessable

from .test_siu_messages import SENDER, booked_case


class _Rows:
    def __init__(self, row: Any) -> None:
        self.row = row

    def first(self) -> Any:
        return self.row


class _Session:
    """Enough of a session for `apply`: the case's state as last written; nothing stored."""

    def __init__(self) -> None:
        self.state: Any = None

    async def execute(self, statement: Any, values: dict[str, Any]) -> _Rows:
        if "request" in values:  # the state's upsert
            self.state = SimpleNamespace(request=values["request"], booking=values["booking"])
        return _Rows(self.state)

    async def scalar(self, statement: Any, values: Any = None) -> None:
        raise AssertionError("nothing is stored of a message hl7apy refused")


async def test_a_message_hl7apy_refuses_is_unprocessable_with_its_reason() -> None:
    (requested, scheduled), booking = booked_case()
    long_ago = datetime(1, 1, 1, 9, 0, tzinfo=UTC)
    scheduled = scheduled.model_copy(
        update={
            "booking": booking.model_copy(
                update={"start": long_ago, "end": long_ago + timedelta(hours=1)}
            )
        }
    )
    session = _Session()
    await projection.apply(session, requested, _envelope(requested), SENDER)  # type: ignore[arg-type]
    with pytest.raises(Unprocessable, match=r"not valid HL7 v2\.5") as raised:
        await projection.apply(session, scheduled, _envelope(scheduled), SENDER)  # type: ignore[arg-type]
    assert isinstance(raised.value.__cause__, siu_messages.SiuMessageInvalid)


def _envelope(event: Any) -> Envelope:
    return Envelope.wrap(event, event_id=uuid.uuid4(), producer="scheduling")

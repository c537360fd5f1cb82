"""The event envelope every Kafka message carries, and the base class of every event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.topics import Topic


class Event(BaseModel):
    """The `data` of an envelope: one fact, immutable, versioned.

    A version only ever gains optional fields; a breaking change is a new `event_version`.
    """

    # JSON has no NaN or Infinity; refusing them keeps every event serializable as it came.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    topic: ClassVar[Topic]
    # The field holding the aggregate id; documented as the message key in the AsyncAPI file.
    key_field: ClassVar[str]

    def aggregate_id(self) -> str:
        """The message key: the id of the aggregate the event is about."""
        return str(getattr(self, self.key_field))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" not in cls.__dict__:
            cls.event_type = cls.__name__


class Envelope(BaseModel):
    """The JSON value of every message on every topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    event_type: str = Field(min_length=1, max_length=200)
    event_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1, max_length=100)
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        producer: str,
        correlation_id: uuid.UUID | None = None,
        causation_id: uuid.UUID | None = None,
        event_id: uuid.UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        event_id = event_id or uuid.uuid4()
        return cls(
            event_id=event_id,
            event_type=event.event_type,
            event_version=event.event_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            correlation_id=correlation_id or event_id,
            causation_id=causation_id,
            data=event.model_dump(mode="json"),
        )

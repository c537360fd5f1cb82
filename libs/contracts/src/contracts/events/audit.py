"""Events of `audit.events.v1`: who did what to which record, from every service."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, Field, JsonValue, StringConstraints, model_validator

from contracts.envelope import Event
from contracts.topics import AUDIT_EVENTS
from contracts.values import Value

# Details are for reading who changed what, never for carrying secrets along.
_SENSITIVE_KEY = re.compile(
    r"password|passwd|passphrase|secret|token|hash|credential|authori[sz]ation|cookie|api_?key|private_?key",
    re.IGNORECASE,
)
Action = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=100),
    Field(examples=["surgery.cancel", "user.roles_change"]),
]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Actor(Value):
    """A user (their id) or a service (its name) acting on its own."""

    kind: Literal["user", "service"]
    id: Identifier

    @model_validator(mode="after")
    def _user_id_is_uuid(self) -> Self:
        if self.kind == "user":
            try:
                uuid.UUID(self.id)
            except ValueError:
                raise ValueError(f"a user actor's id must be a UUID, not {self.id!r}") from None
        return self


class AuditRecorded(Event):
    """An action on a record; `details` holds non-sensitive fields only."""

    topic = AUDIT_EVENTS
    key_field = "record_id"

    audit_id: uuid.UUID
    actor: Actor
    action: Action
    record_type: Identifier = Field(examples=["surgery"])
    record_id: Identifier
    at: AwareDatetime
    service: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,49}$")]
    details: dict[Identifier, JsonValue] = Field(default_factory=dict, max_length=100)
    request_id: Identifier | None = Field(default=None, description="The gateway's request id.")

    @model_validator(mode="after")
    def _no_secrets(self) -> Self:
        if found := sorted(_sensitive_keys(self.details)):
            raise ValueError(f"details must not carry sensitive fields: {', '.join(found)}")
        return self


def _sensitive_keys(value: Any, path: str = "") -> set[str]:
    if isinstance(value, dict):
        found = {f"{path}{k}" for k in value if _SENSITIVE_KEY.search(str(k))}
        for k, v in value.items():
            found |= _sensitive_keys(v, f"{path}{k}.")
        return found
    if isinstance(value, list):
        return set().union(*(_sensitive_keys(v, path) for v in value)) if value else set()
    return set()


EVENTS: tuple[type[Event], ...] = (AuditRecorded,)

"""Identifiers from outside: a token's subject, a header, a stored string."""

from __future__ import annotations

import uuid
from typing import Any


def uuid_or_none(value: Any) -> uuid.UUID | None:
    """The UUID `value` spells, or None when it is empty or not a UUID."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None

"""The SIU feed's tables: messages built, and their MLLP delivery per endpoint. Placeholder."""

from interop_service.db.tables import metadata

__all__ = ["metadata"]

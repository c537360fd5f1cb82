"""The ServiceRequests placed through FHIR. Placeholder."""

from interop_service.db.tables import metadata

__all__ = ["metadata"]

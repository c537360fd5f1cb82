"""The FHIR read model's tables of cases. Placeholder."""

from interop_service.db.tables import metadata

__all__ = ["metadata"]

"""The FHIR read model's tables of rooms, staff, equipment and blocks. Placeholder."""

from interop_service.db.tables import metadata

__all__ = ["metadata"]

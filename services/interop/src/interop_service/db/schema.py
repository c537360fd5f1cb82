"""Every table of the interop service on its one `metadata`: importing this declares them all."""

from interop_service.db import fhir_cases, fhir_resources, orders, siu
from interop_service.db.tables import metadata

__all__ = ["fhir_cases", "fhir_resources", "metadata", "orders", "siu"]

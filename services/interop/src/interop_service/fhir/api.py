"""The FHIR R4 REST API under /fhir (placeholder until the read model lands)."""

from fastapi import APIRouter

router = APIRouter(prefix="/fhir", tags=["fhir"])

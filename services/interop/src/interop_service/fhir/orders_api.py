"""FHIR ServiceRequest create: an EHR places a surgical order on the waiting list. Placeholder."""

from fastapi import APIRouter

router = APIRouter(prefix="/fhir", tags=["fhir"])

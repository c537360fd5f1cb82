"""FHIR Appointment and ServiceRequest read and search. Placeholder."""

from fastapi import APIRouter

router = APIRouter(prefix="/fhir", tags=["fhir"])

"""FHIR Location, Practitioner(Role), Device, Schedule, Slot, CapabilityStatement. Placeholder."""

from fastapi import APIRouter

router = APIRouter(prefix="/fhir", tags=["fhir"])

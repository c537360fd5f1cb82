"""The interop service: a FHIR R4 API and an HL7 v2 SIU feed, derived from the platform's events."""

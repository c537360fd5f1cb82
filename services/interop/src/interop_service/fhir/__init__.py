"""The FHIR R4 half: a read model fed by events, the mapping to FHIR resources, the REST API."""

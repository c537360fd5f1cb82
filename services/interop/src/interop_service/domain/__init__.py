"""The interop service's pure mappings to FHIR resources and HL7 v2 messages."""

"""Examples of the orders placed through FHIR."""

from __future__ import annotations

from contracts.events.auth_users import Role
from contracts.events.interop_service_requests import PlacerIdentifier, ServiceRequestPlaced
from contracts.events.scheduling_surgeries import AnaesthesiaType, Procedure
from contracts.events.surgery_request import SurgeryRequestFields
from contracts.examples.ids import COORDINATOR, SURGEON, SURGERY
from contracts.vocabulary import SurgeryPriority

PLACED = ServiceRequestPlaced(
    surgery_id=SURGERY,
    placer_identifier=PlacerIdentifier(system="urn:oid:1.2.3.4.5.6", value="ORD-2027-000123"),
    request=SurgeryRequestFields(
        patient_mrn="MRN-0012345",
        procedure=Procedure(code="80146002", name="Appendectomy", coding_system="snomed_ct"),
        surgeon_id=SURGEON,
        specialty="general_surgery",
        expected_duration_minutes=60,
        priority=SurgeryPriority.URGENT,
        anaesthesia_type=AnaesthesiaType.GENERAL,
    ),
    placed_by=COORDINATOR,
    placed_by_roles=(Role.COORDINATOR,),
)

EXAMPLES = (PLACED,)

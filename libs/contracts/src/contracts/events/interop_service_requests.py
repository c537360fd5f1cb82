"""Events of `interop.service-requests.v1`: surgical orders other systems placed through FHIR.

Interop validates an order (a FHIR `ServiceRequest`) against the same contract as scheduling's
`POST /surgeries` (`contracts.events.surgery_request`), stores it, and announces it here; scheduling
puts the case on its waiting list under the case id interop chose, or, when a rule that needs
its own state refuses it (the surgeon retired meanwhile), parks the message in the topic's DLQ
with the reason.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field, StringConstraints

from contracts.envelope import Event
from contracts.events.auth_users import Role
from contracts.events.surgery_request import SurgeryRequestFields
from contracts.topics import INTEROP_SERVICE_REQUESTS
from contracts.values import Distinct, Value

_Uri = Annotated[str, StringConstraints(min_length=1, max_length=500)]
_IdentifierValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PlacerIdentifier(Value):
    """The placer's own order number (FHIR `ServiceRequest.identifier`): one order, one case."""

    system: _Uri | None = Field(default=None, examples=["urn:oid:1.2.3.4.5.6"])
    value: _IdentifierValue = Field(examples=["ORD-2027-000123"])


class ServiceRequestPlaced(Event):
    """An order for a surgical procedure was placed; the case it asks for is `surgery_id`."""

    topic = INTEROP_SERVICE_REQUESTS
    key_field = "surgery_id"

    surgery_id: uuid.UUID = Field(description="The case id interop chose: ServiceRequest/<id>.")
    placer_identifier: PlacerIdentifier
    request: SurgeryRequestFields = Field(
        description="The case as the order asks for it, in POST /surgeries' terms."
    )
    placed_by: uuid.UUID = Field(description="The user whose token placed the order.")
    placed_by_roles: Distinct[Role] = Field(
        min_length=1, description="The roles that token carried: who may ask for which surgeon."
    )


EVENTS: tuple[type[Event], ...] = (ServiceRequestPlaced,)

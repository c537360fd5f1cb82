"""The FHIR read model's table of cases: each case's request and its booking, fed only by
`scheduling.surgeries.v1` (`fhir/cases_projection.py`).

A row holds three parts, each with the `occurred_at` of the last event that set it, so an older
event redelivered or replayed after a newer one changes nothing: the request (MRN, procedure,
surgeon, priority: `request_as_of`), the booking (`booking_as_of`) and the status
(`status_as_of`). A booking may come before its request (a replay from a DLQ): the row then
waits for its request, and the API shows nothing of it until it lands.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from interop_service.db.tables import metadata

fhir_cases = Table(
    "fhir_cases",
    metadata,
    Column("case_id", UUID(as_uuid=True), primary_key=True),
    # The request: the patient by MRN only, no other clinical data.
    Column("patient_mrn", Text),
    Column("procedure_code", Text),
    Column("procedure_name", Text),
    Column("procedure_system", Text),
    Column("surgeon_id", UUID(as_uuid=True)),
    Column("requested_by", UUID(as_uuid=True)),
    Column("priority", Text),
    Column("duration_minutes", Integer),
    Column("requested_at", DateTime(timezone=True)),
    Column("request_as_of", DateTime(timezone=True)),
    # The lifecycle: our status, and the booking the case holds (or held, when cancelled).
    Column("status", Text, nullable=False),
    Column("reason_code", Text),
    Column("was_booked", Boolean, nullable=False, server_default=text("false")),
    Column("room_id", UUID(as_uuid=True)),
    Column("starts_at", DateTime(timezone=True)),
    Column("ends_at", DateTime(timezone=True)),
    # The room is taken from setup to cleanup: what a Slot shows busy.
    Column("room_from", DateTime(timezone=True)),
    Column("room_until", DateTime(timezone=True)),
    Column("staff", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column(
        "staff_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default=text("'{}'::uuid[]")
    ),
    Column(
        "unit_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default=text("'{}'::uuid[]")
    ),
    Column("booking_as_of", DateTime(timezone=True)),
    Column("wheels_in", DateTime(timezone=True)),
    Column("wheels_out", DateTime(timezone=True)),
    Column("status_as_of", DateTime(timezone=True)),
    # The case's FHIR resources as they leave, validated when the case changed (a day's search
    # then costs no mapping): with and without the patient; NULL where there is none.
    Column("appointment_json", Text),
    Column("appointment_masked_json", Text),
    Column("order_json", Text),
    Column("order_masked_json", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# Appointment?date=… searches a range of starts; Slots ask a room's busy spans of a day.
Index("ix_fhir_cases_starts_at", fhir_cases.c.starts_at)
Index("ix_fhir_cases_room_from", fhir_cases.c.room_id, fhir_cases.c.room_from)
# Appointment?practitioner=… and ServiceRequest?performer=…, and a clinician's own cases.
Index("ix_fhir_cases_staff_ids", fhir_cases.c.staff_ids, postgresql_using="gin")
Index("ix_fhir_cases_surgeon_id", fhir_cases.c.surgeon_id)

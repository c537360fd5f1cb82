"""The documents a case is stored with are written by `fhir_json`, not fhir.resources'
`model_dump_json` (a tenth of its cost), and the ones without the patient are validated from
the elements of the ones with it: the very same text as each resource rendered on its own and
dumped by `model_dump_json`, at every step of every story."""

from __future__ import annotations

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.servicerequest import ServiceRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interop_service.domain.fhir_cases_fhir import (
    Placer,
    appointment,
    documents_of,
    service_request,
)
from interop_service.domain.fhir_cases_record import apply
from interop_service.domain.fhir_json import fhir_json

from tests.unit.interop.fhir_cases.case_events import Case, moments
from tests.unit.interop.fhir_cases.test_cases_mapping import stories

# Letters, digits, punctuation, symbols (quotes, backslashes, emoji) and spaces: what a JSON
# writer must escape or pass on as it is.
NAMES = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=40)
PLACERS = st.none() | st.builds(
    Placer, st.none() | st.just("urn:oid:1.2.3.4"), st.text(min_size=1, max_size=12)
)


def _dumped(resource) -> str | None:
    return None if resource is None else resource.model_dump_json(by_alias=True, exclude_none=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories(), PLACERS)
def test_every_document_of_every_step_is_the_text_model_dump_json_writes(story, placer) -> None:
    _, events = story
    record = None
    for event, moment in zip(events, moments(len(events)), strict=True):
        record = apply(record, event, moment) or record
        assert record is not None
        documents = documents_of(record, placer)
        assert documents.appointment == _dumped(appointment(record))
        assert documents.appointment_masked == _dumped(appointment(record, show_patient=False))
        assert documents.order == _dumped(service_request(record, placer=placer))
        assert documents.order_masked == _dumped(
            service_request(record, show_patient=False, placer=placer)
        )
        # And each text read back by fhir.resources, every element validated afresh (none of
        # the models `_shared` hands over), is written the same: the sharing changes nothing.
        for model, text in (
            (Appointment, documents.appointment),
            (Appointment, documents.appointment_masked),
            (ServiceRequest, documents.order),
            (ServiceRequest, documents.order_masked),
        ):
            if text is not None:
                assert _dumped(model.model_validate_json(text)) == text


@settings(max_examples=25, deadline=None)
@given(NAMES.filter(str.strip))
def test_any_procedure_name_is_written_as_model_dump_json_writes_it(name) -> None:
    case = Case()
    events = [case.requested(), case.corrected(name), case.scheduled()]
    record = None
    for event, moment in zip(events, moments(3), strict=True):
        record = apply(record, event, moment) or record
    assert record is not None
    for resource in (appointment(record), service_request(record)):
        assert resource is not None
        assert fhir_json(resource) == _dumped(resource)

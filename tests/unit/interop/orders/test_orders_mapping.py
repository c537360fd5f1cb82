"""A FHIR ServiceRequest read as a surgery request: what maps to what, and every refusal names
its element by FHIRPath."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from contracts.vocabulary import SurgeryPriority
from interop_service.domain import orders_terms as terms
from interop_service.domain.orders_mapping import OrderRefused, read_order

from tests.unit.interop.orders.orders import SURGEON, minutes, order, with_extension


def _refusals(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(OrderRefused) as refused:
        read_order(document)
    return {issue.expression: issue.diagnostics for issue in refused.value.issues}


def test_maps_a_surgical_order_to_the_request_post_surgeries_takes() -> None:
    placed = read_order(order(note=[{"text": "Latex allergy"}]))
    request = placed.request
    assert (placed.placer.system, placed.placer.value) == ("urn:oid:1.2.3.4", "ORD-1")
    assert request.patient_mrn == "MRN-0012345"
    assert request.procedure.model_dump() == {
        "code": "80146002",
        "name": "Appendectomy",
        "coding_system": "snomed_ct",
    }
    assert request.surgeon_id == uuid.UUID(SURGEON)
    assert (request.specialty, request.anaesthesia_type.value) == ("general_surgery", "general")
    assert request.expected_duration_minutes == 90
    assert (str(request.earliest_date), str(request.due_date)) == ("2027-03-01", "2027-03-31")
    assert request.priority is SurgeryPriority.URGENT
    assert request.notes == "Latex allergy"


@pytest.mark.parametrize(
    ("fhir", "ours"),
    [
        ("routine", SurgeryPriority.ELECTIVE),
        ("urgent", SurgeryPriority.URGENT),
        ("asap", SurgeryPriority.URGENT),
        ("stat", SurgeryPriority.EMERGENCY),
        (None, SurgeryPriority.ELECTIVE),
    ],
)
def test_maps_each_fhir_priority_to_ours(fhir: str | None, ours: SurgeryPriority) -> None:
    assert read_order(order(priority=fhir)).request.priority is ours


def test_reads_durations_in_hours_and_people_needed_one_extension_each() -> None:
    document = with_extension(order(), terms.EXPECTED_DURATION, valueDuration=minutes(1.5, "h"))
    document["extension"] += [
        {"url": terms.STAFF_ROLE_NEEDED, "valueCode": "scrub_nurse"},
        {"url": terms.STAFF_ROLE_NEEDED, "valueCode": "scrub_nurse"},
        {"url": terms.STAFF_ROLE_NEEDED, "valueCode": "anaesthetist"},
        {"url": terms.EQUIPMENT_TYPE, "valueCode": "c_arm"},
        {"url": terms.SETUP_DURATION, "valueDuration": minutes(15)},
    ]
    request = read_order(document).request
    assert request.expected_duration_minutes == 90
    assert request.setup_minutes == 15
    assert request.equipment_types == ("c_arm",)
    assert {(r.role.value, r.count) for r in request.staff_roles_needed} == {
        ("anaesthetist", 1),
        ("scrub_nurse", 2),
    }


def test_a_single_occurrence_date_time_is_the_due_date() -> None:
    document = order(occurrencePeriod=None, occurrenceDateTime="2027-04-02T09:00:00+02:00")
    request = read_order(document).request
    assert (request.earliest_date, str(request.due_date)) == (None, "2027-04-02")


def test_the_placer_identifier_of_type_plac_wins_among_several() -> None:
    plac = {"coding": [{"system": terms.IDENTIFIER_TYPES, "code": terms.PLACER}]}
    document = order(
        identifier=[{"system": "urn:visit", "value": "V-9"}, {"value": "P-7", "type": plac}]
    )
    assert read_order(document).placer.value == "P-7"


@pytest.mark.parametrize(
    ("changes", "element", "says"),
    [
        ({"status": "draft"}, "ServiceRequest.status", "only an active order"),
        ({"intent": "plan"}, "ServiceRequest.intent", "only an order"),
        ({"category": None}, "ServiceRequest.category", "387713003"),
        ({"subject": {"reference": "Patient/1"}}, "ServiceRequest.subject.reference", "identifier"),
        ({"performer": None}, "ServiceRequest.performer", "exactly one"),
        (
            {"performer": [{"reference": "PractitionerRole/x"}]},
            "ServiceRequest.performer[0].reference",
            "Practitioner/<staff id>",
        ),
        ({"priority": "whenever"}, "ServiceRequest.priority", "not one of"),
        ({"identifier": None}, "ServiceRequest.identifier", "placer order number"),
        ({"code": {"text": "Appendectomy"}}, "ServiceRequest.code.coding", "coded procedure"),
        ({"bodySite": [{"text": "left"}]}, "ServiceRequest.bodySite", "not mapped"),
        ({"doNotPerform": True}, "ServiceRequest.doNotPerform", "not to perform"),
    ],
)
def test_refuses_what_it_cannot_map_naming_the_element(
    changes: dict[str, Any], element: str, says: str
) -> None:
    refusals = _refusals(order(**changes))
    assert element in refusals, refusals
    assert says in refusals[element]


def test_refuses_an_order_without_our_required_extensions() -> None:
    refusals = _refusals(order(extension=None))
    for url in (terms.EXPECTED_DURATION, terms.SPECIALTY, terms.ANAESTHESIA_TYPE):
        assert terms.at_extension(url) in refusals


def test_keeps_the_rules_of_post_surgeries_naming_the_element_they_judge() -> None:
    reversed_dates = order(occurrencePeriod={"start": "2027-03-20", "end": "2027-03-01"})
    assert "before earliest_date" in _refusals(reversed_dates)["ServiceRequest.occurrencePeriod"]
    bad_mrn = order(subject={"identifier": {"value": "MRN 12/34"}})
    assert "ServiceRequest.subject.identifier.value" in _refusals(bad_mrn)
    too_long = with_extension(order(), terms.EXPECTED_DURATION, valueDuration=minutes(25, "h"))
    assert terms.at_extension(terms.EXPECTED_DURATION) in _refusals(too_long)
    crowd = order()
    crowd["extension"] += [{"url": terms.STAFF_ROLE_NEEDED, "valueCode": "scrub_nurse"}] * 11
    assert (
        "less than or equal to 10" in _refusals(crowd)[terms.at_extension(terms.STAFF_ROLE_NEEDED)]
    )


def test_refuses_what_fhir_r4_itself_refuses_with_its_path() -> None:
    refusals = _refusals(order(code={"coding": [{"system": 3, "code": "x"}]}))
    assert "ServiceRequest.code.coding[0].system" in refusals


def test_refuses_another_resource_type() -> None:
    assert "ServiceRequest.resourceType" in _refusals({"resourceType": "Patient"})


def test_ignores_other_publishers_extensions_and_the_placers_bookkeeping() -> None:
    document = order(authoredOn="2027-02-01", requester={"reference": "Practitioner/99"})
    document["extension"].append({"url": "https://ehr.example/x", "valueString": "kept out"})
    assert read_order(document).request.patient_mrn == "MRN-0012345"


def test_refuses_an_extension_in_our_namespace_it_does_not_define() -> None:
    document = order()
    document["extension"].append({"url": f"{terms.STRUCTURE_BASE}/colour", "valueCode": "blue"})
    assert f"ServiceRequest.extension('{terms.STRUCTURE_BASE}/colour')" in _refusals(document)

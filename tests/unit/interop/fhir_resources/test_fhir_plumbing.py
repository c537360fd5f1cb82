"""The FHIR plumbing every part shares: format negotiation, OperationOutcome errors, strict and
lenient search parameters, paging links, and date parameters."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from interop_service.fhir import common, searches
from servicekit.problems import install_problem_handlers
from servicekit.requests import RequestContextMiddleware

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOMS = common.ResourceCapability(
    type="TestRoom",
    search_params=(
        common.SearchParam("name", "string", "The room's name."),
        common.SearchParam("start", "date", "When."),
    ),
    search_includes=("TestRoom:schedule",),
)


@pytest.fixture(scope="module")
def client() -> TestClient:
    registry_before = dict(common.REGISTRY._by_type)
    common.REGISTRY.declare(ROOMS)
    router = common.fhir_router()

    @router.get("/TestRoom")
    async def search(request: Request, query=common.Depends(common.searching(ROOMS))):
        rooms = [Location(id=f"room-{i}", name=f"Room {i}") for i in range(query.offset, 7)]
        page = rooms[: query.count]
        return common.fhir_response(request, common.searchset(request, query, page, total=7))

    @router.get("/TestRoom/{room_id}")
    async def read(request: Request, room_id: str):
        common.read_id("TestRoom", room_id)
        raise common.not_found("TestRoom", room_id)

    app = FastAPI()
    install_problem_handlers(app, {"/fhir": common.OPERATION_OUTCOME})
    app.add_middleware(RequestContextMiddleware)
    app.include_router(router)
    yield TestClient(app, raise_server_exceptions=False)
    common.REGISTRY._by_type = registry_before


def test_a_search_answers_a_valid_searchset_as_fhir_json_with_total_and_paging_links(client):
    response = client.get("/fhir/TestRoom", params={"name": "Room", "_count": 3, "_offset": 3})
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset" and bundle.total == 7
    assert [e.resource.id for e in bundle.entry] == ["room-3", "room-4", "room-5"]
    links = {link.relation: link.url for link in bundle.link}
    assert links["self"] == "http://testserver/fhir/TestRoom?name=Room&_count=3&_offset=3"
    assert links["next"].endswith("_count=3&_offset=6")
    assert links["previous"].endswith("_count=3&_offset=0")
    assert bundle.entry[0].fullUrl == "http://testserver/fhir/Location/room-3"


def test_the_last_page_has_no_next_link_and_count_is_capped_at_500(client):
    bundle = Bundle.model_validate(client.get("/fhir/TestRoom?_count=9999").json())
    assert {link.relation for link in bundle.link} == {"self"}
    assert "_count=500" in bundle.link[0].url


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        (None, None, "application/fhir+json"),
        ("application/json", None, "application/json"),
        ("text/html, */*;q=0.1", None, "application/fhir+json"),
        ("application/fhir+xml", "json", "application/fhir+json"),
        (None, "application/json", "application/json"),
    ],
)
def test_json_is_negotiated_by_accept_or_format(client, accept, fmt, media):
    headers = {"Accept": accept} if accept else {}
    params = {"_format": fmt} if fmt else {}
    response = client.get("/fhir/TestRoom", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == media


def test_xml_only_clients_get_a_406_operation_outcome(client):
    response = client.get("/fhir/TestRoom", headers={"Accept": "application/fhir+xml"})
    assert response.status_code == 406
    issue = OperationOutcome.model_validate(response.json()).issue[0]
    assert issue.code == "not-supported" and issue.severity == "error"


def test_an_unknown_search_parameter_is_a_400_unless_the_client_prefers_lenient_handling(client):
    strict = client.get("/fhir/TestRoom?colour=blue")
    lenient = client.get("/fhir/TestRoom?colour=blue", headers={"Prefer": "handling=lenient"})
    assert strict.status_code == 400
    outcome = OperationOutcome.model_validate(strict.json())
    assert "colour" in outcome.issue[0].diagnostics
    assert lenient.status_code == 200


def test_an_undeclared_include_is_refused_and_a_bad_count_is_a_400(client):
    assert client.get("/fhir/TestRoom?_include=TestRoom:owner").status_code == 400
    assert client.get("/fhir/TestRoom?_include=TestRoom:schedule").status_code == 200
    for bad in ("-1", "ten", "1.5"):
        assert client.get(f"/fhir/TestRoom?_count={bad}").status_code == 400


def test_reading_an_id_that_cannot_be_ours_is_a_404_operation_outcome(client):
    for room_id in ("nope", "f" * 36):
        response = client.get(f"/fhir/TestRoom/{room_id}")
        assert response.status_code == 404
        outcome = OperationOutcome.model_validate(response.json())
        assert outcome.issue[0].code == "not-found"


def test_an_unserved_resource_type_is_a_404_operation_outcome(client):
    response = client.get("/fhir/Patient")
    assert response.status_code == 404
    assert OperationOutcome.model_validate(response.json()).issue[0].code == "not-found"


def test_a_day_covers_the_whole_local_day_and_an_instant_only_itself():
    day = common.date_bound("start", "ge2026-03-29", AMSTERDAM)
    assert day.comparator == "ge"
    assert day.start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 29, 22, tzinfo=UTC)  # the clocks went forward
    assert day.lower() == day.start and day.upper() is None
    instant = common.date_bound("start", "lt2026-03-29T10:00:00Z", AMSTERDAM)
    assert instant.upper() == datetime(2026, 3, 29, 10, tzinfo=UTC)
    month = common.date_bound("start", "2026-12", AMSTERDAM)
    assert (month.lower(), month.upper()) == (
        datetime(2026, 11, 30, 23, tzinfo=UTC),
        datetime(2026, 12, 31, 23, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("value", "status"),
    [("sa2026-01-01", 400), ("yesterday", 400), ("2026-13-01", 400), ("ge2026-02-30", 422)],
)
def test_unserved_comparators_are_400s_and_impossible_dates_422s(value, status):
    with pytest.raises(common.Problem) as refused:
        common.date_bound("start", value, AMSTERDAM)
    assert refused.value.status == status


@pytest.mark.parametrize(
    "value", ["ge2026-02-28", "2026", "le2026-03-29T10:00", "2026-03-29T10:00:00.5+02:00"]
)
def test_the_documented_date_pattern_admits_what_the_parser_reads(value):
    assert re.fullmatch(common.DATE_PATTERN, value)
    common.date_bound("start", value, AMSTERDAM)


def test_a_reference_parameter_names_our_id_in_any_spelling_and_anything_else_matches_nothing():
    room = "0f5e3c4a-1b2c-4d5e-8f90-123456789abc"
    for spelled in (room, f"Location/{room}", f"https://x.example/fhir/Location/{room}"):
        assert str(common.reference_id(spelled, "Location")) == room
    for wrong in (f"Device/{room}", "Location/abc", "", "x" * 36):
        assert common.reference_id(wrong, "Location") is None


def test_every_role_reads_and_only_those_who_may_request_surgeries_may_order():
    assert set(common.SMART_SCOPES) == {"admin", "coordinator", "surgeon", "anaesthetist",
                                        "nurse", "viewer"}  # fmt: skip
    writers = {role for role, scopes in common.SMART_SCOPES.items()
               if "user/ServiceRequest.write" in scopes}  # fmt: skip
    assert writers == {"admin", "coordinator", "surgeon"}
    assert all("user/*.read" in scopes for scopes in common.SMART_SCOPES.values())


def test_a_parameter_declared_with_its_modifier_is_accepted_under_that_name():
    capability = common.ResourceCapability(
        type="TestCase",
        search_params=(common.SearchParam("patient:identifier", "token", "By MRN."),),
    )
    assert searches._declared(capability, "patient:identifier")
    assert not searches._declared(capability, "patient")
    assert not searches._declared(capability, "patient:exact")


@pytest.mark.parametrize(
    "value", ["ge2026-12-07T10:00:00.1234567", " ge2026-12-07", "2026-12-07T10", "ge2026-1-07"]
)
def test_a_date_the_documented_pattern_refuses_is_refused_too(value):
    assert not re.fullmatch(common.DATE_PATTERN, value)
    with pytest.raises(common.Problem) as refused:
        common.date_bound("start", value, AMSTERDAM)
    assert refused.value.status == 400


def test_a_closed_token_takes_only_its_codes_with_or_without_a_system():
    query = common.SearchQuery("Slot", {"status": ["x|free,busy"]}, 50, 0, (), ())
    assert query.codes("status", ("free", "busy")) == {"free", "busy"}
    for wrong in ("", "free,", "tentative", "a|b|free"):
        query = common.SearchQuery("Slot", {"status": [wrong]}, 50, 0, (), ())
        with pytest.raises(common.Problem):
            query.codes("status", ("free", "busy"))


def test_a_validation_problem_is_one_issue_per_field_and_an_outage_a_transient_fatal_free_one():
    invalid = common.outcome(
        422,
        {
            "status": 422,
            "detail": "The request is not valid",
            "errors": [
                {"loc": ["query", "_count"], "msg": "not a number", "type": "int_parsing"},
                {"loc": ["body", "subject"], "msg": "Field required", "type": "missing"},
            ],
        },
    )
    assert [(i.code, i.expression) for i in invalid.issue] == [
        ("invalid", ["query._count"]),
        ("required", ["body.subject"]),
    ]
    outage = common.outcome(503, {"status": 503, "detail": "The database is away."})
    assert [(i.severity, i.code) for i in outage.issue] == [("error", "transient")]
    crash = common.outcome(500, {"status": 500, "detail": "logged"})
    assert [(i.severity, i.code) for i in crash.issue] == [("fatal", "exception")]

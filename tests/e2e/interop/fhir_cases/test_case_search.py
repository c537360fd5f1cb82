"""Appointment and ServiceRequest search through the gateway: who sees which case and whether
with its patient (scheduling's access rules), paging, `_include`, and refused parameters."""

from __future__ import annotations

from typing import Any

import httpx
from fhir.resources.R4B.bundle import Bundle

from tests.e2e.interop.fhir_cases.test_case_story import FHIR, _starts, until_read
from tests.e2e.scheduling.cases import book, local, request_case
from tests.e2e.scheduling.conftest import World, some_day

MRN_SYSTEM = "https://surgery.example.org/fhir/NamingSystem/mrn"


async def two_booked_cases(
    gateway: httpx.AsyncClient, coordinator: dict[str, str], world: World
) -> list[dict[str, Any]]:
    cases = []
    for hour in (8, 12):
        case = await request_case(gateway, coordinator, world)
        await book(gateway, coordinator, world, case, local(hour))
        await until_read(gateway, coordinator, f"Appointment/{case['surgery_id']}", _starts(hour))
        cases.append(case)
    return cases


async def search(
    gateway: httpx.AsyncClient, headers: dict[str, str], kind: str, **params: Any
) -> dict[str, Any]:
    response = await gateway.get(f"{FHIR}/{kind}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    Bundle.model_validate(response.json())
    return response.json()


async def test_each_reader_sees_the_cases_scheduling_lets_them_see(
    gateway: httpx.AsyncClient,
    coordinator: dict[str, str],
    viewer: dict[str, str],
    surgeon: dict[str, str],
    world: World,
) -> None:
    first, _ = await two_booked_cases(gateway, coordinator, world)
    case_id, mrn = first["surgery_id"], first["patient_mrn"]
    by_mrn = {"patient:identifier": f"{MRN_SYSTEM}|{mrn}"}

    full = await search(gateway, coordinator, "Appointment", **by_mrn)
    assert [e["resource"]["id"] for e in full["entry"]] == [case_id]
    # A viewer sees the room's day, never the patient, and cannot find a case by its MRN.
    seen = (await gateway.get(f"{FHIR}/Appointment/{case_id}", headers=viewer)).json()
    assert all("identifier" not in p["actor"] for p in seen["participant"])
    assert seen["meta"]["security"][0]["code"] == "REDACTED"
    assert (await search(gateway, viewer, "Appointment", **by_mrn))["total"] == 0
    order = (await gateway.get(f"{FHIR}/ServiceRequest/{case_id}", headers=viewer)).json()
    assert "identifier" not in order["subject"]
    # A surgeon not on the case sees its Appointment (a day list) but not its order.
    assert (await gateway.get(f"{FHIR}/Appointment/{case_id}", headers=surgeon)).status_code == 200
    hidden = await gateway.get(f"{FHIR}/ServiceRequest/{case_id}", headers=surgeon)
    assert hidden.status_code == 404
    assert hidden.json()["resourceType"] == "OperationOutcome"


async def test_a_days_search_pages_and_includes_the_room_and_team(
    gateway: httpx.AsyncClient, coordinator: dict[str, str], world: World
) -> None:
    cases = await two_booked_cases(gateway, coordinator, world)
    day = some_day().isoformat()
    where = {"date": day, "location": f"Location/{world.room_id}", "status": "booked"}
    first = await search(gateway, coordinator, "Appointment", _count=1, **where)
    assert (first["total"], first["entry"][0]["resource"]["id"]) == (2, cases[0]["surgery_id"])
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = (await gateway.get(following, headers=coordinator)).json()
    assert [e["resource"]["id"] for e in second["entry"]] == [cases[1]["surgery_id"]]

    included = await search(
        gateway,
        coordinator,
        "Appointment",
        _include=["Appointment:location", "Appointment:practitioner"],
        **where,
    )
    extra = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in included["entry"]
        if e["search"]["mode"] == "include"
    }
    assert f"Location/{world.room_id}" in extra
    assert f"Practitioner/{world.surgeon['staff_id']}" in extra

    orders = await search(
        gateway,
        coordinator,
        "ServiceRequest",
        performer=f"Practitioner/{world.surgeon['staff_id']}",
    )
    assert {e["resource"]["id"] for e in orders["entry"]} == {c["surgery_id"] for c in cases}


async def test_refuses_what_it_does_not_search_by_as_an_operation_outcome(
    gateway: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    for params in ({"colour": "blue"}, {"status": "sleeping"}, {"date": "ap2031-01-01"}):
        response = await gateway.get(f"{FHIR}/Appointment", params=params, headers=coordinator)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["resourceType"] == "OperationOutcome"


async def test_a_search_gives_each_reader_the_patient_only_where_they_may_see_it(
    gateway: httpx.AsyncClient,
    coordinator: dict[str, str],
    viewer: dict[str, str],
    surgeon: dict[str, str],
    world: World,
) -> None:
    first, _ = await two_booked_cases(gateway, coordinator, world)
    case_id = first["surgery_id"]
    read = (await gateway.get(f"{FHIR}/Appointment/{case_id}", headers=coordinator)).json()
    on_its_start = {"date": read["start"], "_count": "500"}

    def found(bundle: dict[str, Any]) -> dict[str, Any]:
        return next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == case_id)

    # The database joins a search's entries: whole for a planner, masked for a viewer and for a
    # surgeon not on the case, as their reads of the same case are.
    whole = found(await search(gateway, coordinator, "Appointment", **on_its_start))
    assert whole == read
    for reader in (viewer, surgeon):
        masked = found(await search(gateway, reader, "Appointment", **on_its_start))
        assert masked["meta"]["security"][0]["code"] == "REDACTED"
        assert all("identifier" not in p["actor"] for p in masked["participant"])
        alone = await gateway.get(f"{FHIR}/Appointment/{case_id}", headers=reader)
        assert masked == alone.json()
